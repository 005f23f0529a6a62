import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { LOCAL_DEFAULTS, parseConfig, port } from '../lib/config.ts';
import { createPool, migrate } from '../lib/db.ts';
import { listen } from '../lib/listen.ts';
import { createLogger } from '../lib/logger.ts';
import { onShutdown } from '../lib/shutdown.ts';
import { createAccountStore } from './account-store.ts';
import { createAuthApp } from './auth-app.ts';
import { loadSigningKey } from './keys.ts';
import { createPasswordHasher } from './passwords.ts';
import { createPlayerNotifier } from './player-notifier.ts';
import { createSessionCache } from './session-cache.ts';
import { createAccessTokenSigner } from './tokens.ts';

const Config = z.object({
  HOST: z.string().default('127.0.0.1'),
  AUTH_PORT: port(8081),
  DATABASE_URL: z.url().default(LOCAL_DEFAULTS.DATABASE_URL),
  REDIS_URL: z.url().default(LOCAL_DEFAULTS.REDIS_URL),
  REDIS_KEY_PREFIX: z.string().default('truerun:'),
  PLAYER_URL: z.url().default('http://127.0.0.1:8082'),
  AUTH_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  AUTH_DATA_DIR: z.string().default(fileURLToPath(new URL('../../.data/', import.meta.url))),
  AUTH_ACCESS_TOKEN_TTL_SEC: z.coerce.number().int().min(30).max(3600).default(600),
  AUTH_SESSION_TTL_SEC: z.coerce
    .number()
    .int()
    .min(300)
    .default(30 * 24 * 3600),
});

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/auth/', import.meta.url));

const config = parseConfig(Config);
const log = createLogger('auth');

await migrate(config.DATABASE_URL, MIGRATIONS_DIR, 'pgmigrations_auth', log);
const db = createPool(config.DATABASE_URL, log);
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, commandTimeout: 1_000 });
redis.on('error', (err) => log.warn({ err }, 'redis connection error'));

const key = await loadSigningKey(config.AUTH_PRIVATE_KEY_FILE, config.AUTH_DATA_DIR).catch(
  (err: unknown) => {
    throw new Error(`AUTH_PRIVATE_KEY_FILE or AUTH_DATA_DIR: ${(err as Error).message}`);
  },
);
const accessTtl = config.AUTH_ACCESS_TOKEN_TTL_SEC;

const app = createAuthApp({
  log,
  accounts: createAccountStore(db),
  sessions: createSessionCache(redis, config.REDIS_KEY_PREFIX, accessTtl + 60),
  passwords: createPasswordHasher(),
  signer: createAccessTokenSigner(key, accessTtl),
  keys: [key],
  sessionTtlSec: config.AUTH_SESSION_TTL_SEC,
  listener: createPlayerNotifier(config.PLAYER_URL),
});

const server = await listen(app, config.AUTH_PORT, config.HOST);
log.info({ host: config.HOST, port: config.AUTH_PORT, kid: key.kid }, 'auth service listening');

onShutdown(log, [
  {
    name: 'stop accepting',
    run: () => new Promise((resolve) => server.close(resolve)),
  },
  { name: 'close database pool', run: () => db.end() },
  { name: 'close redis', run: () => redis.quit() },
]);
