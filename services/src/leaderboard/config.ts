import { z } from 'zod';
import { LEADERBOARD_QUEUE, RESULTS_EXCHANGE } from '@truerun/shared-sim/protocol';
import { LOCAL_DEFAULTS, parseConfig, port } from '../lib/config.ts';

const positive = (fallback: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');

/** Environment of the leaderboard deployable (HTTP API and worker). */
export const leaderboardConfigSchema = z.object({
  /** `api`, `worker`, or `all` (both in one process, the local default). */
  LEADERBOARD_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  LEADERBOARD_HOST: z.string().min(1).default('127.0.0.1'),
  LEADERBOARD_PORT: port(8083),
  DATABASE_URL: z.string().url().default(LOCAL_DEFAULTS.DATABASE_URL),
  REDIS_URL: z.string().url().default(LOCAL_DEFAULTS.REDIS_URL),
  AMQP_URL: z.string().url().default(LOCAL_DEFAULTS.AMQP_URL),
  PLAYER_URL: z.string().url().default('http://127.0.0.1:8082'),
  /** Exchange and queue of verified results; the game server reads the same variables. */
  RESULTS_EXCHANGE: z.string().min(1).default(RESULTS_EXCHANGE),
  RESULTS_QUEUE: z.string().min(1).default(LEADERBOARD_QUEUE),
  /** Prefix of every Redis key the leaderboard owns. */
  LEADERBOARD_REDIS_PREFIX: z.string().min(1).max(100).default('truerun:lb:'),
  /** Create a weekly season (Monday 00:00 UTC) whenever no season covers the current time. */
  LEADERBOARD_DEFAULT_SEASONS: flag(true),
  /** Independent consumers (each its own connection and batch) in one worker process. */
  WORKER_CONSUMERS: positive(2, 16),
  WORKER_BATCH_SIZE: positive(200, 5_000),
  WORKER_PREFETCH: positive(400, 10_000),
  WORKER_LINGER_MS: positive(10, 1_000),
  WORKER_MAX_ATTEMPTS: positive(3, 100),
});

export type LeaderboardConfig = z.infer<typeof leaderboardConfigSchema>;

export function loadLeaderboardConfig(
  env: Record<string, string | undefined> = process.env,
): LeaderboardConfig {
  return parseConfig(leaderboardConfigSchema, env);
}
