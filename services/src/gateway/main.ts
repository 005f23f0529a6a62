import { Redis } from 'ioredis';
import { z } from 'zod';
import { createSessionCache } from '../auth/session-cache.ts';
import { LOCAL_DEFAULTS, parseConfig, port } from '../lib/config.ts';
import { listen } from '../lib/listen.ts';
import { createLogger } from '../lib/logger.ts';
import { onShutdown } from '../lib/shutdown.ts';
import { createTokenVerifier } from '../lib/token-verifier.ts';
import { createGatewayApp } from './gateway-app.ts';
import { createRateLimits, DEFAULT_RATE_RULES } from './rate-limits.ts';
import { createSessionChecker } from './session-checker.ts';

const count = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

const Config = z.object({
  HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: port(8080),
  REDIS_URL: z.url().default(LOCAL_DEFAULTS.REDIS_URL),
  REDIS_KEY_PREFIX: z.string().default('truerun:'),
  AUTH_URL: z.url().default('http://127.0.0.1:8081'),
  PLAYER_URL: z.url().default('http://127.0.0.1:8082'),
  LEADERBOARD_URL: z.url().default('http://127.0.0.1:8083'),
  CORS_ORIGINS: z
    .string()
    .default('http://localhost:3000')
    .transform((value) => value.split(',').map((origin) => origin.trim())),
  GATEWAY_MAX_BODY_BYTES: count(16 * 1024),
  GATEWAY_TRUST_PROXY: z.coerce.number().int().min(0).default(0),
  AUTH_ACCESS_TOKEN_TTL_SEC: z.coerce.number().int().min(30).max(3600).default(600),
  RATE_LIMIT_IP_POINTS: count(DEFAULT_RATE_RULES.ip.points),
  RATE_LIMIT_IP_WINDOW_SEC: count(DEFAULT_RATE_RULES.ip.durationSec),
  RATE_LIMIT_USER_POINTS: count(DEFAULT_RATE_RULES.user.points),
  RATE_LIMIT_USER_WINDOW_SEC: count(DEFAULT_RATE_RULES.user.durationSec),
  RATE_LIMIT_CREDENTIALS_POINTS: count(DEFAULT_RATE_RULES.credentials.points),
  RATE_LIMIT_CREDENTIALS_WINDOW_SEC: count(DEFAULT_RATE_RULES.credentials.durationSec),
});

const config = parseConfig(Config);
const log = createLogger('gateway');

const redis = new Redis(config.REDIS_URL, {
  maxRetriesPerRequest: 1,
  commandTimeout: 500,
  enableAutoPipelining: true,
});
redis.on('error', (err) => log.warn({ err }, 'redis connection error'));

const rules = {
  ip: { points: config.RATE_LIMIT_IP_POINTS, durationSec: config.RATE_LIMIT_IP_WINDOW_SEC },
  user: { points: config.RATE_LIMIT_USER_POINTS, durationSec: config.RATE_LIMIT_USER_WINDOW_SEC },
  credentials: {
    points: config.RATE_LIMIT_CREDENTIALS_POINTS,
    durationSec: config.RATE_LIMIT_CREDENTIALS_WINDOW_SEC,
  },
};
const sessionCache = createSessionCache(
  redis,
  config.REDIS_KEY_PREFIX,
  config.AUTH_ACCESS_TOKEN_TTL_SEC + 60,
);

const app = createGatewayApp({
  log,
  verifier: createTokenVerifier({
    keys: { jwksUrl: new URL('/auth/.well-known/jwks.json', config.AUTH_URL).toString() },
  }),
  sessions: createSessionChecker(sessionCache, config.AUTH_URL),
  rateLimits: createRateLimits(redis, config.REDIS_KEY_PREFIX, rules),
  upstreams: {
    auth: config.AUTH_URL,
    player: config.PLAYER_URL,
    leaderboard: config.LEADERBOARD_URL,
  },
  corsOrigins: config.CORS_ORIGINS,
  maxBodyBytes: config.GATEWAY_MAX_BODY_BYTES,
  trustProxy: config.GATEWAY_TRUST_PROXY,
});

const server = await listen(app, config.GATEWAY_PORT, config.HOST);
log.info({ host: config.HOST, port: config.GATEWAY_PORT }, 'gateway listening');

onShutdown(log, [
  { name: 'stop accepting', run: () => new Promise((resolve) => server.close(resolve)) },
  { name: 'close redis', run: () => redis.quit() },
]);
