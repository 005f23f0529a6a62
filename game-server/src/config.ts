import { z } from 'zod';
import { LOCAL_DEFAULTS, parseConfig, port } from '@truerun/services/lib/config';
import {
  LEADERBOARD_QUEUE,
  RESULTS_EXCHANGE,
  VERIFIED_ROUTING_KEY,
} from '@truerun/shared-sim/protocol';

const seconds = (fallback: number) => z.coerce.number().positive().default(fallback);

const schema = z
  .object({
    GAME_SERVER_PORT: port(2567),
    GAME_SERVER_HOST: z.string().default('127.0.0.1'),
    /** Prometheus `/metrics`, on a port of its own so that players never reach it. */
    METRICS_PORT: port(9567),
    METRICS_HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: z.string().url().default(LOCAL_DEFAULTS.DATABASE_URL),
    AMQP_URL: z.string().url().default(LOCAL_DEFAULTS.AMQP_URL),
    AUTH_URL: z.string().url().default('http://127.0.0.1:8081'),
    LEADERBOARD_URL: z.string().url().default('http://127.0.0.1:8083'),
    /** Course seed and season id used when the leaderboard service cannot be reached. */
    COURSE_SEED: z.coerce.number().int().min(0).max(0xffffffff).default(1),
    SEASON_ID: z.string().min(1).default('local'),
    RESULTS_EXCHANGE: z.string().min(1).default(RESULTS_EXCHANGE),
    RESULTS_ROUTING_KEY: z.string().min(1).default(VERIFIED_ROUTING_KEY),
    RESULTS_QUEUE: z.string().min(1).default(LEADERBOARD_QUEUE),
    RECONNECT_GRACE_SEC: seconds(8),
    SLOW_ALLOWANCE_SEC: seconds(10),
    CLAIM_TIMEOUT_SEC: seconds(10),
    HELD_LIMIT_TICKS: z.coerce.number().int().positive().default(120),
    /** `redis` when several processes share matchmaking; each then needs its own PUBLIC_ADDRESS. */
    MATCHMAKING: z.enum(['local', 'redis']).default('local'),
    REDIS_URL: z.string().url().default(LOCAL_DEFAULTS.REDIS_URL),
    PUBLIC_ADDRESS: z.string().min(1).optional(),
    /**
     * Course length of every run. Only tests and measurements set it: scores on a shorter
     * course are not comparable, so a process with it set must not serve ranked play.
     */
    TEST_COURSE_LENGTH: z.coerce.number().int().min(600).optional(),
    /** How long running runs may go on after a shutdown signal. */
    SHUTDOWN_GRACE_SEC: seconds(20),
    /** Budget for publishing what waits in the outbox on shutdown. */
    SHUTDOWN_FLUSH_SEC: seconds(5),
  })
  .refine((config) => config.MATCHMAKING === 'local' || config.PUBLIC_ADDRESS !== undefined, {
    path: ['PUBLIC_ADDRESS'],
    message: 'required when MATCHMAKING is redis',
  });

/** The game server's configuration, read once at startup. */
export type GameServerConfig = z.infer<typeof schema>;

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
): GameServerConfig {
  return parseConfig(schema, env);
}
