import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LOCAL_DEFAULTS, parseConfig, port } from '../lib/config.ts';
import { createPool, migrate } from '../lib/db.ts';
import { listen } from '../lib/listen.ts';
import { createLogger } from '../lib/logger.ts';
import { onShutdown } from '../lib/shutdown.ts';
import { createPlayerApp } from './player-app.ts';
import { createPlayerStore } from './player-store.ts';

const Config = z.object({
  HOST: z.string().default('127.0.0.1'),
  PLAYER_PORT: port(8082),
  DATABASE_URL: z.url().default(LOCAL_DEFAULTS.DATABASE_URL),
});

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/player/', import.meta.url));

const config = parseConfig(Config);
const log = createLogger('player');

await migrate(config.DATABASE_URL, MIGRATIONS_DIR, 'pgmigrations_player', log);
const db = createPool(config.DATABASE_URL, log);
const app = createPlayerApp({ log, players: createPlayerStore(db) });

const server = await listen(app, config.PLAYER_PORT, config.HOST);
log.info({ host: config.HOST, port: config.PLAYER_PORT }, 'player service listening');

onShutdown(log, [
  { name: 'stop accepting', run: () => new Promise((resolve) => server.close(resolve)) },
  { name: 'close database pool', run: () => db.end() },
]);
