import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TICK_RATE } from '@truerun/shared-sim';
import { Verdict, VerdictReason } from '@truerun/shared-sim/protocol';
import { TEST_COURSE_LENGTH, TEST_SEED, runRow, startHarness } from './support/harness.ts';
import type { Harness } from './support/harness.ts';
import { recordBotRun, streamRun } from './support/run-client.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

describe('a verdict decided while the player is away', () => {
  let harness: Harness;
  const honest = recordBotRun(TEST_SEED, TEST_COURSE_LENGTH);

  beforeAll(async () => {
    harness = await startHarness({ limits: { claimTimeoutMs: 2_000 }, reconnectGraceSec: 15 });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  test('reaches the player when they reconnect', async () => {
    // The client sends every input but no claim, and its network goes down right after the
    // last input; the server ends the run for want of a claim while the client is away.
    const endMs = (honest.inputs.length / TICK_RATE) * 1000;
    const proxy = await startTcpProxy(harness.port);
    const outcome = await streamRun(`ws://127.0.0.1:${proxy.port}`, harness.token().token, honest, {
      claim: null,
      actions: [
        { atMs: endMs + 500, run: () => proxy.down() },
        { atMs: endMs + 5_000, run: () => proxy.restore() },
      ],
    }).finally(() => proxy.close());

    expect(outcome.reconnected).toBe(true);
    expect(outcome.verdict).toMatchObject({
      runId: outcome.start.runId,
      verdict: Verdict.UNRANKED,
      reason: VerdictReason.NO_CLAIM,
      ticks: honest.claim.finalTick,
      score: honest.claim.score,
    });
    const row = await runRow(harness.pool, outcome.start.runId);
    expect(row?.verdict).toBe(Verdict.UNRANKED);
  });

  test('a verdict written into a connection that was already dead is sent again', async () => {
    // The claim reaches the server, but everything the server sends from just before it is
    // lost in a dead network; the drop is noticed only later and the client reconnects.
    const endMs = (honest.inputs.length / TICK_RATE) * 1000;
    const proxy = await startTcpProxy(harness.port);
    const outcome = await streamRun(`ws://127.0.0.1:${proxy.port}`, harness.token().token, honest, {
      actions: [
        { atMs: endMs - 300, run: () => proxy.mute() },
        { atMs: endMs + 2_000, run: () => proxy.down() },
        { atMs: endMs + 3_000, run: () => proxy.restore() },
      ],
    }).finally(() => proxy.close());

    expect(outcome.reconnected).toBe(true);
    expect(outcome.verdict).toMatchObject({
      runId: outcome.start.runId,
      verdict: Verdict.VERIFIED,
      reason: VerdictReason.OK,
      score: honest.claim.score,
    });
    const row = await runRow(harness.pool, outcome.start.runId);
    expect(row?.verdict).toBe(Verdict.VERIFIED);
  });
});
