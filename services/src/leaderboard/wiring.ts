import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { createPool, migrate } from '../lib/db.ts';
import type { Logger } from '../lib/logger.ts';
import { RedisRankIndex } from './rank-index.ts';
import { IndexGuard } from './rebuild.ts';
import { SeasonStore } from './seasons.ts';

/** Directory of the leaderboard's migrations, and the table that tracks them. */
export const MIGRATIONS_DIR = fileURLToPath(
  new URL('../../migrations/leaderboard', import.meta.url),
);
export const MIGRATIONS_TABLE = 'leaderboard_migrations';

/** The stores every leaderboard process shares: PostgreSQL, the seasons, the Redis index. */
export interface LeaderboardStores {
  pool: pg.Pool;
  redis: Redis;
  seasons: SeasonStore;
  index: RedisRankIndex;
  guard: IndexGuard;
  close(): Promise<void>;
}

/** Migrates the database, then connects the stores. */
export async function openStores(
  urls: { databaseUrl: string; redisUrl: string; redisPrefix: string },
  log: Logger,
): Promise<LeaderboardStores> {
  await migrate(urls.databaseUrl, MIGRATIONS_DIR, MIGRATIONS_TABLE, log);
  const pool = createPool(urls.databaseUrl, log);
  const redis = new Redis(urls.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: false });
  redis.on('error', (err) => log.warn({ err }, 'redis connection error'));
  const index = new RedisRankIndex(redis, urls.redisPrefix);
  return {
    pool,
    redis,
    seasons: new SeasonStore(pool),
    index,
    guard: new IndexGuard(pool, index, log),
    async close() {
      await Promise.allSettled([redis.quit(), pool.end()]);
    },
  };
}
