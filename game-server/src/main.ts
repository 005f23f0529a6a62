import { RedisDriver } from '@colyseus/redis-driver';
import { RedisPresence } from '@colyseus/redis-presence';
import { createPool, migrate } from '@truerun/services/lib/db';
import { createLogger } from '@truerun/services/lib/logger';
import { onShutdown } from '@truerun/services/lib/shutdown';
import { createTokenVerifier } from '@truerun/services/token-verifier';
import { authSessionLiveness } from './session-liveness.ts';
import { DEFAULT_COURSE_LENGTH } from '@truerun/shared-sim';
import { realClock } from './clock.ts';
import { loadConfig } from './config.ts';
import { createGameMetrics, serveMetrics } from './metrics.ts';
import { MIGRATIONS_DIR, MIGRATIONS_TABLE } from './migrations.ts';
import { ResultPublisher } from './result-publisher.ts';
import { PgRunStore } from './run-store.ts';
import { createSeasonSource } from './season-source.ts';
import { startGameServer } from './server.ts';

const config = loadConfig();
const log = createLogger('game-server');
const metrics = createGameMetrics();

// 1. The database schema, then the pieces that use it.
await migrate(config.DATABASE_URL, MIGRATIONS_DIR, MIGRATIONS_TABLE, log);
const pool = createPool(config.DATABASE_URL, log);
const publisher = new ResultPublisher({
  pool,
  amqpUrl: config.AMQP_URL,
  exchange: config.RESULTS_EXCHANGE,
  routingKey: config.RESULTS_ROUTING_KEY,
  queue: config.RESULTS_QUEUE,
  log: log.child({ component: 'publisher' }),
});
const store = new PgRunStore(pool, () => publisher.wake());

if (config.TEST_COURSE_LENGTH !== undefined) {
  log.warn(
    { courseLength: config.TEST_COURSE_LENGTH },
    'test course length set: not for ranked play',
  );
}

// 2. Matchmaking is shared through Redis only when several processes serve one deployment.
const shared =
  config.MATCHMAKING === 'redis'
    ? {
        presence: new RedisPresence(config.REDIS_URL),
        driver: new RedisDriver(config.REDIS_URL),
        publicAddress: config.PUBLIC_ADDRESS,
      }
    : {};

// 3. Rooms, with published results flowing from the start, and their metrics.
const metricsServer = await serveMetrics(
  metrics.registry,
  config.METRICS_PORT,
  config.METRICS_HOST,
  log,
);
publisher.start();
const server = await startGameServer(
  {
    ...shared,
    log,
    readiness: {
      ready: async () => {
        await pool.query('SELECT 1');
        return true;
      },
    },
    room: {
      verifier: createTokenVerifier({
        keys: { jwksUrl: new URL('/auth/.well-known/jwks.json', config.AUTH_URL).toString() },
      }),
      sessions: authSessionLiveness(config.AUTH_URL),
      seasons: createSeasonSource({
        leaderboardUrl: config.LEADERBOARD_URL,
        fallback: { seasonId: config.SEASON_ID, seed: config.COURSE_SEED },
        log,
      }),
      store,
      clock: realClock,
      limits: {
        heldLimitTicks: config.HELD_LIMIT_TICKS,
        slowAllowanceMs: config.SLOW_ALLOWANCE_SEC * 1000,
        claimTimeoutMs: config.CLAIM_TIMEOUT_SEC * 1000,
      },
      courseLength: config.TEST_COURSE_LENGTH ?? DEFAULT_COURSE_LENGTH,
      reconnectGraceSec: config.RECONNECT_GRACE_SEC,
      shutdownGraceMs: config.SHUTDOWN_GRACE_SEC * 1000,
      log,
      metrics: metrics.room,
    },
  },
  config.GAME_SERVER_PORT,
  config.GAME_SERVER_HOST,
);

// 4. On a signal: stop matchmaking and let runs finish, flush the outbox, close the pool.
const budgetMs = (config.SHUTDOWN_GRACE_SEC + config.SHUTDOWN_FLUSH_SEC + 5) * 1000;
onShutdown(
  log,
  [
    { name: 'stop rooms', run: () => server.stopRooms() },
    { name: 'flush results', run: () => publisher.stop(config.SHUTDOWN_FLUSH_SEC * 1000) },
    { name: 'close database', run: () => pool.end() },
    { name: 'close metrics', run: () => metricsServer.close() },
  ],
  budgetMs,
);
