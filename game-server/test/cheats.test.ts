import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Input } from '@truerun/shared-sim';
import {
  ClientMessage,
  JoinError,
  MAX_BATCH_TICKS,
  RoomCloseCode,
  Verdict,
  VerdictReason,
} from '@truerun/shared-sim/protocol';
import { TEST_COURSE_LENGTH, runRow, startHarness, waitForRow } from './support/harness.ts';
import type { Harness } from './support/harness.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';
import { botDecider, joinRun, recordBotRun, streamRun } from './support/run-client.ts';

// Seed 2: a client that ignores damage finishes where the real simulation is still running.
const SEED = 2;

describe.concurrent('judgement: every rule ends a run with its reason', () => {
  let harness: Harness;
  const honest = recordBotRun(SEED, TEST_COURSE_LENGTH);

  beforeAll(async () => {
    harness = await startHarness({
      seed: SEED,
      limits: { slowAllowanceMs: 3_000, claimTimeoutMs: 1_500 },
      reconnectGraceSec: 1,
    });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  async function expectRecorded(runId: string, verdict: string, reason: string) {
    const row = await waitForRow(harness.pool, runId);
    expect({ verdict: row.verdict, reason: row.reason }).toEqual({ verdict, reason });
    return row;
  }

  test('a sped-up clock is too fast, measured in real time', async () => {
    const outcome = await streamRun(harness.url, harness.token().token, honest, { clockRate: 2 });

    expect(outcome.verdict).toMatchObject({
      verdict: Verdict.REJECTED,
      reason: VerdictReason.TOO_FAST,
    });
    // Held ticks were never simulated: the server stayed on real time.
    const row = await expectRecorded(outcome.start.runId, Verdict.REJECTED, VerdictReason.TOO_FAST);
    expect(row.ticks).toBeLessThan(outcome.lastAck.tick);
    expect(row.ticks).toBeLessThan(4 * 60 * 1.002 + 3);
  });

  test('a forged claim is a claim mismatch, and the server score is recorded', async () => {
    const forged = { ...honest.claim, score: honest.claim.score + 5_000 };
    const outcome = await streamRun(harness.url, harness.token().token, honest, { claim: forged });

    expect(outcome.verdict).toMatchObject({
      verdict: Verdict.REJECTED,
      reason: VerdictReason.CLAIM_MISMATCH,
      score: honest.claim.score,
      ticks: honest.claim.finalTick,
    });
    const row = await expectRecorded(
      outcome.start.runId,
      Verdict.REJECTED,
      VerdictReason.CLAIM_MISMATCH,
    );
    expect(row.score).toBe(honest.claim.score);
    expect(row.diverged_tick).toBe(null);
  });

  test('a modified simulation (no damage) is a mismatch at its first divergence', async () => {
    const noAttack = botDecider();
    const cheat = recordBotRun(
      SEED,
      TEST_COURSE_LENGTH,
      (run) => {
        (run as unknown as { hurt: () => void }).hurt = () => {};
      },
      (run) => noAttack(run) & ~Input.ATTACK,
    );
    const outcome = await streamRun(harness.url, harness.token().token, cheat);

    expect(outcome.verdict).toMatchObject({
      verdict: Verdict.REJECTED,
      reason: VerdictReason.CLAIM_MISMATCH,
      outcome: 'running',
    });
    expect(outcome.verdict!.score).toBeLessThan(cheat.claim.score);
    const row = await expectRecorded(
      outcome.start.runId,
      Verdict.REJECTED,
      VerdictReason.CLAIM_MISMATCH,
    );
    // The first checkpoint where the server's hash differs from the client's.
    const firstDifferent = [...outcome.serverCheckpoints]
      .filter(([tick, hash]) => cheat.checkpoints[tick / 60 - 1] !== hash)
      .map(([tick]) => tick)
      .sort((a, b) => a - b)[0];
    expect(firstDifferent).toBeGreaterThan(0);
    expect(row.diverged_tick).toBe(firstDifferent);
  });

  test('injected undefined input bits are rejected', async () => {
    const outcome = await streamRun(harness.url, harness.token().token, honest, {
      mutate: (firstTick, inputs) => {
        const at = 120 - firstTick;
        if (at >= 0 && at < inputs.length) inputs[at] = inputs[at]! | 0x10;
        return inputs;
      },
    });

    expect(outcome.verdict).toMatchObject({
      verdict: Verdict.REJECTED,
      reason: VerdictReason.UNDEFINED_BITS,
    });
    const row = await expectRecorded(
      outcome.start.runId,
      Verdict.REJECTED,
      VerdictReason.UNDEFINED_BITS,
    );
    expect(row.ticks).toBeLessThan(120);
  });

  test('a replayed batch that rewrites earlier ticks contradicts them', async () => {
    const outcome = await streamRun(harness.url, harness.token().token, honest, {
      actions: [
        {
          // Two seconds in, resend ticks 30..89 with jump toggled, out of order.
          atMs: 2_000,
          run: (room) => {
            const rewritten = honest.inputs.slice(29, 89).map((bits) => bits ^ Input.JUMP);
            room.send(ClientMessage.INPUTS, { firstTick: 30, inputs: rewritten });
          },
        },
      ],
    });

    expect(outcome.verdict).toMatchObject({
      verdict: Verdict.REJECTED,
      reason: VerdictReason.CONTRADICTS_EARLIER,
    });
    await expectRecorded(outcome.start.runId, Verdict.REJECTED, VerdictReason.CONTRADICTS_EARLIER);
  });

  test('inputs after death are rejected', async () => {
    const outcome = await streamRun(harness.url, harness.token().token, honest, {
      ticksAfterEnd: 90,
      claim: null,
    });

    expect(outcome.verdict).toMatchObject({
      verdict: Verdict.REJECTED,
      reason: VerdictReason.INPUTS_AFTER_END,
      ticks: honest.claim.finalTick,
      score: honest.claim.score,
    });
    await expectRecorded(outcome.start.runId, Verdict.REJECTED, VerdictReason.INPUTS_AFTER_END);
  });

  test('a batch that does not decode as one is malformed', async () => {
    const outcome = await streamRun(harness.url, harness.token().token, honest, {
      actions: [
        {
          atMs: 500,
          run: (room) => room.send(ClientMessage.INPUTS, { firstTick: 'one', inputs: [1, 2] }),
        },
      ],
    });

    expect(outcome.verdict).toMatchObject({
      verdict: Verdict.REJECTED,
      reason: VerdictReason.MALFORMED,
    });
    await expectRecorded(outcome.start.runId, Verdict.REJECTED, VerdictReason.MALFORMED);
  });

  test('an oversized batch is rejected', async () => {
    const outcome = await streamRun(harness.url, harness.token().token, honest, {
      actions: [
        {
          atMs: 500,
          run: (room) =>
            room.send(ClientMessage.INPUTS, {
              firstTick: 1,
              inputs: new Uint8Array(MAX_BATCH_TICKS + 1),
            }),
        },
      ],
    });

    expect(outcome.verdict).toMatchObject({
      verdict: Verdict.REJECTED,
      reason: VerdictReason.OVERSIZED,
    });
  });

  test('a flooding client is rejected and disconnected', async () => {
    const outcome = await streamRun(harness.url, harness.token().token, honest, {
      actions: [
        {
          atMs: 500,
          run: (room) => {
            for (let i = 0; i < 400; i++) {
              room.send(ClientMessage.CHECKPOINT, { tick: 60, hash: honest.checkpoints[0] });
            }
          },
        },
      ],
    });

    expect(outcome.closeCode).toBe(RoomCloseCode.FLOODING);
    await expectRecorded(outcome.start.runId, Verdict.REJECTED, VerdictReason.FLOODING);
  });

  test('a stale ruleset, another protocol and a bad token are refused at join', async () => {
    const { token } = harness.token();
    await expect(joinRun(harness.url, { token, ruleset: 0 })).rejects.toMatchObject({
      code: JoinError.STALE_RULESET,
    });
    await expect(joinRun(harness.url, { token, protocol: 99 })).rejects.toMatchObject({
      code: JoinError.UNSUPPORTED_PROTOCOL,
    });
    await expect(joinRun(harness.url, { token: `${token}x` })).rejects.toMatchObject({
      code: JoinError.UNAUTHORIZED,
    });
    await expect(joinRun(harness.url, { token: '' })).rejects.toMatchObject({
      code: JoinError.UNAUTHORIZED,
    });
  });

  test('the token of a logged-out session is refused at join, though signed right', async () => {
    const { token, sessionId } = harness.token();
    const room = await joinRun(harness.url, { token });
    await room.leave();
    harness.revokeSession(sessionId);
    await expect(joinRun(harness.url, { token })).rejects.toMatchObject({
      code: JoinError.UNAUTHORIZED,
      message: 'join/unauthorized: auth/session_revoked',
    });
  });

  test('a run that falls far behind real time is unranked as too slow, not rejected', async () => {
    const outcome = await streamRun(harness.url, harness.token().token, honest, {
      clockRate: 0.5,
    });

    expect(outcome.verdict).toMatchObject({
      verdict: Verdict.UNRANKED,
      reason: VerdictReason.TOO_SLOW,
    });
    const row = await runRow(harness.pool, outcome.start.runId);
    expect(row?.verdict).toBe(Verdict.UNRANKED);
  });

  test('a run whose simulation ended without a claim is unranked', async () => {
    const outcome = await streamRun(harness.url, harness.token().token, honest, { claim: null });

    expect(outcome.verdict).toMatchObject({
      verdict: Verdict.UNRANKED,
      reason: VerdictReason.NO_CLAIM,
      score: honest.claim.score,
    });
  });

  test('a connection that does not come back within the grace period is abandoned', async () => {
    const proxy = await startTcpProxy(harness.port);
    const outcome = await streamRun(`ws://127.0.0.1:${proxy.port}`, harness.token().token, honest, {
      actions: [{ atMs: 1_500, run: () => proxy.down() }],
      noReconnect: true,
    }).finally(() => proxy.close());

    expect(outcome.verdict).toBe(null);
    const row = await expectRecorded(
      outcome.start.runId,
      Verdict.ABANDONED,
      VerdictReason.DISCONNECTED,
    );
    expect(row.ticks).toBeGreaterThan(0);
  });

  test('a player who leaves mid-run abandons it', async () => {
    const outcome = await streamRun(harness.url, harness.token().token, honest, {
      leaveAtMs: 1_000,
    });

    expect(outcome.verdict).toBe(null);
    await expectRecorded(outcome.start.runId, Verdict.ABANDONED, VerdictReason.LEFT);
  });
});
