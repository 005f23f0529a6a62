import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeInputStream, replay } from '@truerun/shared-sim';
import { Verdict, VerdictReason } from '@truerun/shared-sim/protocol';
import {
  TEST_COURSE_LENGTH,
  TEST_SEASON,
  TEST_SEED,
  consumeResults,
  runRow,
  startHarness,
} from './support/harness.ts';
import type { Harness, ResultConsumer } from './support/harness.ts';
import { recordBotRun, streamRun } from './support/run-client.ts';

describe('an honest bot-played run', () => {
  let harness: Harness;
  let consumer: ResultConsumer;

  beforeAll(async () => {
    harness = await startHarness();
    consumer = await consumeResults(harness.exchange, harness.queue);
  });

  afterAll(async () => {
    await consumer?.close();
    await harness?.stop();
  });

  test('the server answers health and readiness on its HTTP port', async () => {
    const health = await fetch(`http://127.0.0.1:${harness.port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`http://127.0.0.1:${harness.port}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  test('is verified, recorded and consumed exactly once with the server score', async () => {
    const recorded = recordBotRun(TEST_SEED, TEST_COURSE_LENGTH);
    const { token, userId } = harness.token('honest');

    const outcome = await streamRun(harness.url, token, recorded);

    expect(outcome.verdict).toMatchObject({
      verdict: Verdict.VERIFIED,
      reason: VerdictReason.OK,
      ticks: recorded.claim.finalTick,
      score: recorded.claim.score,
      finalHash: recorded.claim.hash,
      outcome: 'finished',
    });
    expect(outcome.start).toMatchObject({ seed: TEST_SEED, seasonId: TEST_SEASON });
    expect(outcome.errors).toEqual([]);
    // Every server checkpoint agrees with the client's own simulation.
    for (const [tick, hash] of outcome.serverCheckpoints) {
      expect(hash).toBe(recorded.checkpoints[tick / 60 - 1]);
    }

    const row = await runRow(harness.pool, outcome.start.runId);
    expect(row).toMatchObject({
      user_id: userId,
      verdict: Verdict.VERIFIED,
      reason: VerdictReason.OK,
      ticks: recorded.claim.finalTick,
      score: recorded.claim.score,
      final_hash: recorded.claim.hash,
      diverged_tick: null,
    });
    const stored = decodeInputStream(new Uint8Array(row!.inputs));
    expect(stored).toEqual(recorded.inputs);
    const replayed = replay({
      seed: TEST_SEED,
      ruleset: outcome.start.ruleset,
      inputs: stored,
      courseLength: TEST_COURSE_LENGTH,
    });
    expect(replayed.score).toBe(recorded.claim.score);

    await consumer.waitFor(1);
    // Nothing else arrives: the outbox row is marked sent.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(consumer.results).toHaveLength(1);
    expect(consumer.messageIds).toEqual([outcome.start.runId]);
    expect(consumer.results[0]).toMatchObject({
      runId: outcome.start.runId,
      userId,
      seasonId: TEST_SEASON,
      seed: TEST_SEED,
      score: recorded.claim.score,
      ticks: recorded.claim.finalTick,
      finalHash: recorded.claim.hash,
      outcome: 'finished',
    });
    expect(await harness.publisher.backlog()).toBe(0);
  });
});
