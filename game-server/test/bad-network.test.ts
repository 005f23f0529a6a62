import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ProtocolErrorCode, Verdict, VerdictReason } from '@truerun/shared-sim/protocol';
import { TEST_COURSE_LENGTH, TEST_SEED, runRow, startHarness } from './support/harness.ts';
import type { Harness } from './support/harness.ts';
import { recordBotRun, streamRun } from './support/run-client.ts';
import type { StreamOutcome } from './support/run-client.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

// Production limits: only the course is shorter, so each run takes about ten seconds.
describe.concurrent('honest clients on bad networks are verified, never rejected', () => {
  let harness: Harness;
  const honest = recordBotRun(TEST_SEED, TEST_COURSE_LENGTH);

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await harness?.stop();
  });

  async function expectVerified(outcome: StreamOutcome) {
    expect(outcome.verdict).toMatchObject({
      verdict: Verdict.VERIFIED,
      reason: VerdictReason.OK,
      ticks: honest.claim.finalTick,
      score: honest.claim.score,
      finalHash: honest.claim.hash,
    });
    const row = await runRow(harness.pool, outcome.start.runId);
    expect(row?.verdict).toBe(Verdict.VERIFIED);
  }

  test('300 ms of jitter on every message', async () => {
    const outcome = await streamRun(harness.url, harness.token().token, honest, {
      jitterMs: 300,
    });
    await expectVerified(outcome);
  });

  test('a 3 s stall followed by a burst', async () => {
    const outcome = await streamRun(harness.url, harness.token().token, honest, {
      stall: { atMs: 3_000, forMs: 3_000 },
    });
    await expectVerified(outcome);
  });

  test('reordered and duplicated batches', async () => {
    const outcome = await streamRun(harness.url, harness.token().token, honest, {
      batchTicks: 2,
      reverseBatches: true,
      duplicateBatches: true,
    });
    await expectVerified(outcome);
    // Only repeats still in flight when the verdict went out are answered as late.
    const codes = new Set(outcome.errors.map((error) => error.code));
    expect([...codes].filter((code) => code !== ProtocolErrorCode.RUN_OVER)).toEqual([]);
  });

  test('a reconnection in the middle of the run goes on with the same run', async () => {
    const proxy = await startTcpProxy(harness.port);
    const outcome = await streamRun(`ws://127.0.0.1:${proxy.port}`, harness.token().token, honest, {
      actions: [{ atMs: 4_000, run: () => proxy.cut() }],
    }).finally(() => proxy.close());

    expect(outcome.reconnected).toBe(true);
    await expectVerified(outcome);
  });
});
