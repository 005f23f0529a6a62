import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { createAccountStore } from '../src/auth/account-store.ts';
import { createAuthApp } from '../src/auth/auth-app.ts';
import { generateSigningKey } from '../src/auth/keys.ts';
import type { SigningKey } from '../src/auth/keys.ts';
import { createPasswordHasher } from '../src/auth/passwords.ts';
import { createPlayerNotifier } from '../src/auth/player-notifier.ts';
import { createSessionCache } from '../src/auth/session-cache.ts';
import { createAccessTokenSigner } from '../src/auth/tokens.ts';
import { createGatewayApp } from '../src/gateway/gateway-app.ts';
import { createRateLimits } from '../src/gateway/rate-limits.ts';
import type { RateRules } from '../src/gateway/rate-limits.ts';
import { createSessionChecker } from '../src/gateway/session-checker.ts';
import { createPool, migrate } from '../src/lib/db.ts';
import { createLogger } from '../src/lib/logger.ts';
import type { Logger } from '../src/lib/logger.ts';
import { createTokenVerifier } from '../src/lib/token-verifier.ts';
import { createPlayerApp } from '../src/player/player-app.ts';
import { createPlayerStore } from '../src/player/player-store.ts';
import { createTestDatabase, uniqueName } from '../src/test-support/databases.ts';
import type { TestDatabase } from '../src/test-support/databases.ts';

const MIGRATIONS = fileURLToPath(new URL('../migrations/', import.meta.url));

/** Auth, player, a stand-in leaderboard and the gateway, each on its own port 0 server. */
export interface Stack {
  gatewayUrl: string;
  authUrl: string;
  playerUrl: string;
  db: pg.Pool;
  redis: Redis;
  redisPrefix: string;
  signingKey: SigningKey;
  /** Requests the stand-in leaderboard received, with the headers the gateway forwarded. */
  leaderboardSeen: { method: string; url: string; headers: Record<string, unknown> }[];
  close(): Promise<void>;
}

export interface StackOptions {
  rateRules?: RateRules;
  accessTokenTtlSec?: number;
  log?: Logger;
}

/** Rules loose enough that only a test aiming at a limit meets one. */
export const LOOSE_RATE_RULES: RateRules = {
  ip: { points: 10_000, durationSec: 60 },
  user: { points: 10_000, durationSec: 60 },
  credentials: { points: 10_000, durationSec: 60 },
};

async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Starts the whole stack against a fresh database and a unique Redis key prefix. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const log = options.log ?? createLogger('test', 'silent');
  const database: TestDatabase = await createTestDatabase('truerun_gw');
  try {
    await migrate(database.url, `${MIGRATIONS}auth`, 'pgmigrations_auth', log);
    await migrate(database.url, `${MIGRATIONS}player`, 'pgmigrations_player', log);
  } catch (err) {
    await database.drop();
    throw err;
  }
  const db = createPool(database.url);
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  await redis.ping();
  const redisPrefix = `${uniqueName('truerun-test')}:`;
  const accessTtl = options.accessTokenTtlSec ?? 600;
  const sessionCache = createSessionCache(redis, redisPrefix, accessTtl + 60);

  const player = await listen(createPlayerApp({ log, players: createPlayerStore(db) }));

  const signingKey = generateSigningKey();
  const auth = await listen(
    createAuthApp({
      log,
      accounts: createAccountStore(db),
      sessions: sessionCache,
      passwords: createPasswordHasher(),
      signer: createAccessTokenSigner(signingKey, accessTtl),
      keys: [signingKey],
      listener: createPlayerNotifier(player.url),
    }),
  );

  const leaderboardSeen: Stack['leaderboardSeen'] = [];
  const leaderboardApp = express();
  leaderboardApp.use((req, res) => {
    leaderboardSeen.push({ method: req.method, url: req.url, headers: { ...req.headers } });
    res.json({ served: req.url });
  });
  const leaderboard = await listen(leaderboardApp);

  const gateway = await listen(
    createGatewayApp({
      log,
      verifier: createTokenVerifier({
        keys: { jwksUrl: `${auth.url}/auth/.well-known/jwks.json` },
      }),
      sessions: createSessionChecker(sessionCache, auth.url),
      rateLimits: createRateLimits(redis, redisPrefix, options.rateRules ?? LOOSE_RATE_RULES),
      upstreams: { auth: auth.url, player: player.url, leaderboard: leaderboard.url },
      maxBodyBytes: 16 * 1024,
    }),
  );

  return {
    gatewayUrl: gateway.url,
    authUrl: auth.url,
    playerUrl: player.url,
    db,
    redis,
    redisPrefix,
    signingKey,
    leaderboardSeen,
    async close() {
      await Promise.all([gateway, auth, player, leaderboard].map((s) => closeServer(s.server)));
      const keys = await redis.keys(`${redisPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await db.end();
      await database.drop();
    },
  };
}

/** A JSON request through the stack; answers status, parsed body and headers. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';

  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { text };
  }
  return { status: response.status, body: json, headers: response.headers };
}

let userCounter = 0;

/** A username no other test in the file uses (each file has its own database). */
export function freshUsername(prefix = 'runner'): string {
  userCounter += 1;
  return `${prefix}_${userCounter}`;
}
