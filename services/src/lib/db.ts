import pg from 'pg';
import { runner } from 'node-pg-migrate';
import type { Logger } from './logger.ts';

/**
 * A PostgreSQL connection pool with a bounded size and statement timeout. An idle connection
 * that the server drops (a restart, a network cut) is logged and replaced on the next query;
 * without the error listener, pg would crash the process.
 */
export function createPool(connectionString: string, log?: Logger, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, statement_timeout: 10_000 });
  pool.on('error', (err) => log?.warn({ err: err.message }, 'idle database connection lost'));
  // A connection lost while a client is checked out errors on the client itself, where the
  // pool no longer listens: without this the error would end the process. The query in
  // flight fails on its own, and the pool drops the dead client when it is released.
  pool.on('connect', (client) => {
    client.on('error', (err) => log?.warn({ err: err.message }, 'database connection lost'));
  });
  return pool;
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
