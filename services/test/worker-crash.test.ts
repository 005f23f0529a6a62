import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Season } from '../src/leaderboard/seasons.ts';
import {
  AMQP_URL,
  Harness,
  REDIS_URL,
  expectedBoard,
  resultBody,
  testSeason,
} from './leaderboard-harness.ts';

const CHILD = fileURLToPath(new URL('./worker-child.ts', import.meta.url));

let h: Harness;
let season: Season;
let child: ChildProcess | null = null;

beforeAll(async () => {
  h = await Harness.open('crash');
  season = await h.stores.seasons.create(testSeason('crash-season'));
});

afterAll(async () => {
  await h?.close();
});

beforeEach(async () => {
  await h.channel.purgeQueue(h.topology.queue);
  await h.stores.pool.query('TRUNCATE leaderboard_bests, leaderboard_results');
  await h.stores.index.clear(season.id);
  await h.stores.index.markReady(season.id);
});

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
  await h.stopWorkers();
});

/** Starts the child worker and resolves when it reaches its crash point. */
function spawnWorker(crashAt: 'before-commit' | 'after-commit'): Promise<ChildProcess> {
  const started = spawn(process.execPath, [CHILD], {
    env: {
      ...process.env,
      DATABASE_URL: h.db.url,
      REDIS_URL,
      AMQP_URL,
      LEADERBOARD_REDIS_PREFIX: h.prefix,
      TOPOLOGY: JSON.stringify(h.topology),
      CRASH_AT: crashAt,
      CRASH_BATCH: '2',
      BATCH_SIZE: '50',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child = started;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('child never reached its crash point')),
      20_000,
    );
    let out = '';
    started.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('crash-point')) {
        clearTimeout(timer);
        resolve(started);
      }
    });
    started.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited early with ${code}`));
    });
  });
}

function kill(process: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    process.once('exit', () => resolve());
    process.kill('SIGKILL');
  });
}

/**
 * Runs over 40 players, each run better than every earlier one, so every batch raises bests
 * and a batch committed but not yet in Redis always shows as a difference.
 */
function runs(count: number) {
  const users = Array.from({ length: 40 }, () => randomUUID());
  return Array.from({ length: count }, (_, i) =>
    resultBody(season, {
      userId: users[(i * 7) % users.length] as string,
      score: 10 * i,
      startedAtMs: season.startsAtMs + 1000 * ((i * 5) % 11),
    }),
  );
}

describe('a worker killed in the middle of a batch', () => {
  it('after COMMIT, before Redis and the acks: the redelivery completes the ranks', async () => {
    const bodies = runs(600);
    await h.publish([...bodies, ...bodies.slice(40, 160)]);

    const worker = await spawnWorker('after-commit');
    const recorded = await h.resultCount();
    const before = await h.check(season);
    await kill(worker);

    // The killed worker had committed batches to PostgreSQL that Redis never saw.
    expect(recorded).toBeGreaterThan(0);
    expect(before.equal).toBe(false);

    await h.startWorker();
    await h.settled(season, bodies.length);
    const { postgres, redis } = await h.boards(season);
    expect(postgres).toEqual(expectedBoard(bodies));
    expect(redis).toEqual(postgres);
  });

  it('inside the transaction: the rollback loses nothing and the redelivery ranks it', async () => {
    const bodies = runs(600);
    await h.publish(bodies);

    const worker = await spawnWorker('before-commit');
    const recordedBefore = await h.resultCount();
    const before = await h.check(season);
    await kill(worker);

    // The first batch was ranked and acked; the second is invisible until it commits, so
    // PostgreSQL and Redis agree at the moment of the kill.
    expect(recordedBefore).toBeGreaterThan(0);
    expect(recordedBefore).toBeLessThan(bodies.length);
    expect(before.equal).toBe(true);

    await h.startWorker();
    await h.settled(season, bodies.length);
    const { postgres, redis } = await h.boards(season);
    expect(postgres).toEqual(expectedBoard(bodies));
    expect(redis).toEqual(postgres);
  });
});
