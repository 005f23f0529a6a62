// A leaderboard worker run as its own process by the crash tests. It handles batches normally
// until the chosen batch reaches the chosen point (inside the transaction before COMMIT, or
// after COMMIT before Redis and the acks), prints "crash-point" and waits to be killed.
import { createLogger } from '../src/lib/logger.ts';
import { PgResultStore } from '../src/leaderboard/result-store.ts';
import type { ResultTopology } from '../src/leaderboard/topology.ts';
import { ResultWorker } from '../src/leaderboard/worker.ts';
import { openStores } from '../src/leaderboard/wiring.ts';

const env = process.env;
const crashAt = env.CRASH_AT === 'before-commit' ? 'before-commit' : 'after-commit';
const crashBatch = Number(env.CRASH_BATCH ?? '2');
const log = createLogger('worker-child', 'silent');

const stores = await openStores(
  {
    databaseUrl: env.DATABASE_URL as string,
    redisUrl: env.REDIS_URL as string,
    redisPrefix: env.LEADERBOARD_REDIS_PREFIX as string,
  },
  log,
);

let batches = 0;
const stall = async (point: string) => {
  if (point !== crashAt) return;
  batches += 1;
  if (batches < crashBatch) return;
  process.stdout.write('crash-point\n');
  await new Promise(() => undefined);
};

const worker = new ResultWorker({
  amqpUrl: env.AMQP_URL as string,
  topology: JSON.parse(env.TOPOLOGY as string) as ResultTopology,
  store: new PgResultStore(stores.pool, {
    beforeCommit: () => stall('before-commit'),
    afterCommit: () => stall('after-commit'),
  }),
  seasons: stores.seasons,
  index: stores.index,
  guard: stores.guard,
  log,
  batchSize: Number(env.BATCH_SIZE ?? '50'),
});
await worker.start();
process.stdout.write('consuming\n');
