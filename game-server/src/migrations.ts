import { fileURLToPath } from 'node:url';

/** The game server's SQL migrations, applied at startup. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/** The game server keeps its own migrations table in a database it may share. */
export const MIGRATIONS_TABLE = 'game_server_migrations';
