import { resultTopology } from '@truerun/shared-sim/protocol';
import type { Server } from 'node:http';
import { listen } from '../lib/listen.ts';
import { createLogger } from '../lib/logger.ts';
import { onShutdown } from '../lib/shutdown.ts';
import type { ShutdownStep } from '../lib/shutdown.ts';
import { createLeaderboardApp } from './app.ts';
import { loadLeaderboardConfig } from './config.ts';
import { PlayerClient } from './player-client.ts';
import { rebuildMissing } from './rebuild.ts';
import { PgResultStore } from './result-store.ts';
import { ResultWorker } from './worker.ts';
import { openStores } from './wiring.ts';

// The leaderboard deployable: the HTTP API, the worker, or both (LEADERBOARD_ROLE).
// 1. Read the configuration, migrate, connect.
// 2. Make sure a season runs now (when default seasons are on) and rebuild any season index
//    Redis lost.
// 3. Listen and/or consume; shut down in order on SIGTERM or SIGINT.

const log = createLogger('leaderboard');
const config = loadLeaderboardConfig();
const stores = await openStores(
  {
    databaseUrl: config.DATABASE_URL,
    redisUrl: config.REDIS_URL,
    redisPrefix: config.LEADERBOARD_REDIS_PREFIX,
  },
  log,
);

if (config.LEADERBOARD_DEFAULT_SEASONS) {
  const season = await stores.seasons.ensureAt(Date.now());
  log.info({ seasonId: season.id }, 'current season');
}
await rebuildMissing(stores.pool, stores.seasons, stores.index, log);

const steps: ShutdownStep[] = [];
let server: Server | null = null;
const workers: ResultWorker[] = [];

if (config.LEADERBOARD_ROLE !== 'worker') {
  const app = createLeaderboardApp({
    seasons: stores.seasons,
    index: stores.index,
    guard: stores.guard,
    players: new PlayerClient({ baseUrl: config.PLAYER_URL }),
    log,
    defaultSeasons: config.LEADERBOARD_DEFAULT_SEASONS,
  });
  const listening = await listen(app, config.LEADERBOARD_PORT, config.LEADERBOARD_HOST);
  server = listening;
  log.info({ host: config.LEADERBOARD_HOST, port: config.LEADERBOARD_PORT }, 'api listening');
  steps.push({
    name: 'stop accepting requests',
    run: () => new Promise<void>((resolve) => listening.close(() => resolve())),
  });
}

if (config.LEADERBOARD_ROLE !== 'api') {
  // Several consumers keep PostgreSQL busy while another batch is on the wire; they are as
  // safe together as separate worker processes.
  const consumers = Array.from(
    { length: config.WORKER_CONSUMERS },
    () =>
      new ResultWorker({
        amqpUrl: config.AMQP_URL,
        topology: resultTopology(config.RESULTS_EXCHANGE, config.RESULTS_QUEUE),
        store: new PgResultStore(stores.pool),
        seasons: stores.seasons,
        index: stores.index,
        guard: stores.guard,
        log,
        batchSize: config.WORKER_BATCH_SIZE,
        prefetch: config.WORKER_PREFETCH,
        lingerMs: config.WORKER_LINGER_MS,
        maxAttempts: config.WORKER_MAX_ATTEMPTS,
        onFatal: () => {
          // Unacked results return to the queue; a supervisor restarts the process.
          void stores.close().finally(() => process.exit(1));
        },
      }),
  );
  for (const consumer of consumers) await consumer.start();
  workers.push(...consumers);
  steps.push({
    name: 'drain the worker',
    run: () => Promise.all(consumers.map((consumer) => consumer.stop())),
  });
}

steps.push({ name: 'close stores', run: () => stores.close() });
onShutdown(log, steps);
log.info(
  { role: config.LEADERBOARD_ROLE, api: server !== null, consumers: workers.length },
  'ready',
);
