import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { VerifiedResultMessage } from '@truerun/shared-sim/protocol';
import { DeadLetterReason } from '../src/leaderboard/result-message.ts';
import type { VerifiedRun } from '../src/leaderboard/result-message.ts';
import { PgResultStore } from '../src/leaderboard/result-store.ts';
import type { ResultStore } from '../src/leaderboard/result-store.ts';
import type { Season } from '../src/leaderboard/seasons.ts';
import { ResultHeader } from '../src/leaderboard/topology.ts';
import { Harness, expectedBoard, resultBody, testSeason, waitFor } from './leaderboard-harness.ts';

/** A small seeded generator, so a failing mix of runs can be replayed from its seed. */
function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Many runs over few players with colliding scores and starts, so ties and races abound. */
function contestedRuns(season: Season, seed: number, runs: number, players: number) {
  const random = mulberry32(seed);
  const users = Array.from({ length: players }, () => randomUUID());
  return Array.from({ length: runs }, () =>
    resultBody(season, {
      userId: users[Math.floor(random() * players)] as string,
      score: 1000 + Math.floor(random() * 8) * 100,
      startedAtMs: season.startsAtMs + 1000 * Math.floor(random() * 4),
    }),
  );
}

let h: Harness;
let season: Season;

beforeAll(async () => {
  h = await Harness.open('worker');
  season = await h.stores.seasons.create(testSeason('worker-season'));
});

afterAll(async () => {
  await h?.close();
});

beforeEach(async () => {
  await h.stopWorkers();
  await h.channel.purgeQueue(h.topology.queue);
  await h.channel.purgeQueue(h.topology.deadLetterQueue);
  await h.stores.pool.query('TRUNCATE leaderboard_bests, leaderboard_results');
  await h.stores.index.clear(season.id);
  await h.stores.index.markReady(season.id);
});

describe('exactly-once effect', () => {
  it('ranks duplicate deliveries once, redelivered later or in the same batch', async () => {
    const seed = 20261204;
    console.info(`contested runs seed ${seed}`);
    const bodies = contestedRuns(season, seed, 400, 30);
    const duplicates = bodies.filter((_, i) => i % 3 === 0);

    await h.startWorker();
    await h.publish([...bodies, ...duplicates]);
    await h.settled(season, bodies.length);

    await h.publish(duplicates);
    await waitFor(async () => (await h.queueDepth()) === 0, 10_000, 'queue drained');
    await h.stopWorkers();

    const { postgres, redis } = await h.boards(season);
    const expected = expectedBoard(bodies);
    expect(postgres).toEqual(expected);
    expect(redis).toEqual(expected);
    expect(await h.resultCount()).toBe(400);
    expect(await h.drainDeadLetters()).toHaveLength(0);
  });

  it('two workers consuming at once leave the same ranks as the tie rule', async () => {
    const seed = 7_1031;
    console.info(`contested runs seed ${seed}`);
    const bodies = contestedRuns(season, seed, 1500, 40);

    await h.startWorker({ batchSize: 20, prefetch: 40 });
    await h.startWorker({ batchSize: 20, prefetch: 40 });
    await h.publish([...bodies, ...bodies.slice(0, 500)]);
    await h.settled(season, bodies.length);

    const { postgres, redis } = await h.boards(season);
    const expected = expectedBoard(bodies);
    expect(postgres).toEqual(expected);
    expect(redis).toEqual(expected);
  });
});

describe('tie rule', () => {
  it('orders equal scores by start, then run id, the same in PostgreSQL and Redis', async () => {
    const t = season.startsAtMs + 3_600_000;
    const [a, b, c, d, e] = Array.from({ length: 5 }, () => randomUUID());
    const runA = '00000000-0000-4000-8000-00000000000a';
    const runB = '00000000-0000-4000-8000-00000000000b';
    const bodies = [
      resultBody(season, { userId: a!, score: 500, startedAtMs: t + 5 }),
      // Same score and start as the next one: the lower run id ranks first.
      resultBody(season, { userId: b!, score: 900, startedAtMs: t, runId: runB }),
      resultBody(season, { userId: c!, score: 900, startedAtMs: t, runId: runA }),
      // Same score, one millisecond earlier: ahead of both.
      resultBody(season, { userId: d!, score: 900, startedAtMs: t - 1 }),
      resultBody(season, { userId: e!, score: 901, startedAtMs: t + 999_999 }),
    ];

    await h.startWorker();
    await h.publish(bodies);
    await h.settled(season, bodies.length);

    const { postgres, redis } = await h.boards(season);
    const order = [e, d, c, b, a];
    expect(postgres.map((best) => best.userId)).toEqual(order);
    expect(redis.map((best) => best.userId)).toEqual(order);
    expect(redis).toEqual(postgres);
  });

  it('keeps score and tie-break of the same run when a player ties their own best', async () => {
    const t = season.startsAtMs + 7_200_000;
    const user = randomUUID();
    const first = resultBody(season, { userId: user, score: 700, startedAtMs: t });
    const laterTie = resultBody(season, { userId: user, score: 700, startedAtMs: t + 50 });
    const lower = resultBody(season, { userId: user, score: 650, startedAtMs: t - 100 });
    // Arrives last but started first, with the same score: it becomes the best.
    const earlierTie = resultBody(season, { userId: user, score: 700, startedAtMs: t - 10 });

    await h.startWorker({ batchSize: 1 });
    for (const body of [first, laterTie, lower, earlierTie]) await h.publish([body]);
    await h.settled(season, 4);

    const { postgres, redis } = await h.boards(season);
    const expected = [
      {
        seasonId: season.id,
        userId: user,
        runId: earlierTie.runId,
        score: 700,
        startedAtMs: t - 10,
      },
    ];
    expect(postgres).toEqual(expected);
    expect(redis).toEqual(expected);
  });
});

describe('dead letters', () => {
  it('dead-letters poison at once with its reason and ranks the results behind it', async () => {
    const user = randomUUID();
    const good = [
      resultBody(season, { userId: user, score: 100 }),
      resultBody(season, { userId: randomUUID(), score: 200 }),
    ];
    const badVersion = { ...resultBody(season, { userId: user, score: 1 }), v: 2 };
    const badScore = resultBody(season, { userId: user, score: -5 });
    const otherSeason = resultBody(season, { userId: user, score: 5, seasonId: 'no-such-season' });
    const wrongSeed = resultBody(season, { userId: user, score: 5, seed: 99 });
    const wrongId = resultBody(season, { userId: user, score: 5 });

    await h.publish([Buffer.from('{not json'), good[0]!]);
    await h.publish([badVersion as unknown as VerifiedResultMessage, badScore, otherSeason]);
    await h.publish([wrongSeed]);
    await h.publish([wrongId], () => randomUUID());
    await h.publish([good[1]!]);
    await h.startWorker();
    await h.settled(season, 2);

    const dead = await h.drainDeadLetters();
    const reasons = dead.map((msg) => msg.properties.headers?.[ResultHeader.REASON]).sort();
    expect(reasons).toEqual(
      [
        DeadLetterReason.MALFORMED_JSON,
        DeadLetterReason.UNKNOWN_VERSION,
        DeadLetterReason.INVALID_BODY,
        DeadLetterReason.UNKNOWN_SEASON,
        DeadLetterReason.SEED_NOT_IN_SEASON,
        DeadLetterReason.MESSAGE_ID_MISMATCH,
      ].sort(),
    );
    const malformed = dead.find(
      (msg) => msg.properties.headers?.[ResultHeader.REASON] === DeadLetterReason.MALFORMED_JSON,
    );
    expect(malformed?.content.toString()).toBe('{not json');
    expect((await h.boards(season)).redis.map((best) => best.score)).toEqual([200, 100]);
  });

  it('retries an infrastructure error without counting it against the results', async () => {
    const bodies = Array.from({ length: 5 }, (_, i) =>
      resultBody(season, { userId: randomUUID(), score: 40 + i }),
    );
    const real = new PgResultStore(h.stores.pool);
    let outages = 6;
    const store: ResultStore = {
      record(runs: readonly VerifiedRun[]) {
        if (outages > 0) {
          outages -= 1;
          const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
            code: 'ECONNREFUSED',
          });
          return Promise.reject(err);
        }
        return real.record(runs);
      },
    };

    await h.startWorker({ store, maxAttempts: 2 });
    await h.publish(bodies);
    await h.settled(season, 5);

    expect(outages).toBe(0);
    expect(await h.drainDeadLetters()).toHaveLength(0);
    expect((await h.boards(season)).redis.map((best) => best.score)).toEqual([44, 43, 42, 41, 40]);
  });

  it('dead-letters a result that fails every attempt, without holding up the others', async () => {
    const poison = resultBody(season, { userId: randomUUID(), score: 300 });
    const others = Array.from({ length: 30 }, (_, i) =>
      resultBody(season, { userId: randomUUID(), score: 10 + i }),
    );
    const real = new PgResultStore(h.stores.pool);
    let poisonAttempts = 0;
    const store: ResultStore = {
      record(runs: readonly VerifiedRun[]) {
        if (runs.some((run) => run.runId === poison.runId)) {
          if (runs.length === 1) poisonAttempts += 1;
          return Promise.reject(new Error('value rejected by a constraint'));
        }
        return real.record(runs);
      },
    };

    await h.startWorker({ store, maxAttempts: 3 });
    await h.publish([...others.slice(0, 10), poison, ...others.slice(10)]);
    await h.settled(season, 30);
    const dead: Awaited<ReturnType<Harness['drainDeadLetters']>> = [];
    await waitFor(
      async () => dead.push(...(await h.drainDeadLetters())) === 1,
      10_000,
      'one dead letter',
    );

    const [letter] = dead;
    expect(letter?.properties.messageId).toBe(poison.runId);
    expect(letter?.properties.headers?.[ResultHeader.REASON]).toBe(
      DeadLetterReason.FAILED_REPEATEDLY,
    );
    expect(letter?.properties.headers?.[ResultHeader.ATTEMPTS]).toBe(3);
    expect(letter?.properties.headers?.[ResultHeader.DETAIL]).toBe(
      'value rejected by a constraint',
    );
    expect(poisonAttempts).toBe(3);
    expect(await h.resultCount()).toBe(30);
  });
});
