import pg from 'pg';
import { runner } from 'node-pg-migrate';
import type { Logger } from './logger.ts';

/** A PostgreSQL connection pool with a bounded size and statement timeout. */
export function createPool(connectionString: string, max = 10): pg.Pool {
  return new pg.Pool({ connectionString, max, statement_timeout: 10_000 });
}

/**
 * Applies the migrations in `dir` that have not run yet. Each service keeps its own
 * migrations table, so services migrate independently in one database.
 */
export async function migrate(
  databaseUrl: string,
  dir: string,
  migrationsTable: string,
  log: Logger,
): Promise<void> {
  await runner({
    databaseUrl,
    dir,
    migrationsTable,
    direction: 'up',
    count: Infinity,
    checkOrder: true,
    log: (message: string) => log.debug({ migrationsTable }, message),
    noLock: false,
    // Services that start together wait for each other's migrations instead of failing.
    advisoryLockMode: 'wait',
  });
}
