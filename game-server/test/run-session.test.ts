import { describe, expect, test } from 'vitest';
import { Verdict, VerdictReason } from '@truerun/shared-sim/protocol';
import { RunSession } from '../src/run-session.ts';
import type { Judgement } from '../src/run-session.ts';
import { TEST_COURSE_LENGTH, TEST_SEED } from './support/harness.ts';
import { recordBotRun } from './support/run-client.ts';

const honest = recordBotRun(TEST_SEED, TEST_COURSE_LENGTH);

/** A session on a clock the test moves by hand. */
function session(
  limits = { heldLimitTicks: 120, slowAllowanceMs: 10_000, claimTimeoutMs: 10_000 },
) {
  const clock = { ms: 0, now: () => clock.ms };
  const checkpoints: number[] = [];
  const judged: Judgement[] = [];
  const run = new RunSession(
    {
      runId: '00000000-0000-4000-8000-000000000000',
      userId: '00000000-0000-4000-8000-000000000001',
      username: 'unit',
      seasonId: 'unit',
      roomId: 'room',
      seed: TEST_SEED,
      ruleset: 1,
      courseLength: TEST_COURSE_LENGTH,
      startedAt: new Date(0),
    },
    clock,
    limits,
    { checkpoint: (tick) => checkpoints.push(tick), judged: (j) => judged.push(j) },
  );
  return { run, clock, checkpoints, judged };
}

const batch = (firstTick: number, count: number) => ({
  firstTick,
  inputs: honest.inputs.slice(firstTick - 1, firstTick - 1 + count),
});

describe('the too-fast rule', () => {
  test('simulates tick n only when n <= 60 * E * 1.002 + 2, holding the rest', () => {
    const { run, clock } = session();
    clock.ms = 1_000;
    expect(run.receiveInputs(batch(1, 100))).toBe(true);
    // floor(60 * 1 * 1.002 + 2) = 62
    expect(run.processedTick).toBe(62);
    expect(run.receivedTick).toBe(100);

    clock.ms = 1_500;
    expect(run.poll()).toBe(true);
    // floor(60 * 1.5 * 1.002 + 2) = 92
    expect(run.processedTick).toBe(92);
  });

  test('rejects once more ticks are held than the limit, and only then', () => {
    const { run, clock, judged } = session();
    clock.ms = 1_000;
    // 62 allowed: 182 received holds exactly 120.
    expect(run.receiveInputs(batch(1, 182))).toBe(true);
    expect(judged).toEqual([]);
    expect(run.receiveInputs(batch(183, 1))).toBe(false);
    expect(judged[0]).toMatchObject({ verdict: Verdict.REJECTED, reason: VerdictReason.TOO_FAST });
    expect(judged[0]!.result.ticks).toBe(62);
  });

  test('a late burst after a stall is simulated at once', () => {
    const { run, clock, judged } = session();
    clock.ms = 4_000;
    expect(run.receiveInputs(batch(1, 240))).toBe(true);
    expect(run.processedTick).toBe(240);
    expect(judged).toEqual([]);
  });
});

describe('inputs and claims', () => {
  test('a gap is kept until it fills, and checkpoints follow the simulation', () => {
    const { run, clock, checkpoints } = session();
    clock.ms = 5_000;
    expect(run.receiveInputs(batch(61, 60))).toBe(true);
    expect(run.receivedTick).toBe(0);
    expect(run.processedTick).toBe(0);
    expect(run.receiveInputs(batch(1, 60))).toBe(true);
    expect(run.receivedTick).toBe(120);
    expect(checkpoints).toEqual([60, 120]);
  });

  test('the whole honest run with its claim is verified', () => {
    const { run, clock, judged } = session();
    clock.ms = 11_000;
    for (let first = 1; first <= honest.inputs.length; first += 500) {
      run.receiveInputs(batch(first, Math.min(500, honest.inputs.length - first + 1)));
    }
    expect(judged).toEqual([]);
    expect(run.receiveClaim(honest.claim)).toBe(false);
    expect(judged[0]).toMatchObject({ verdict: Verdict.VERIFIED, reason: VerdictReason.OK });
    expect(judged[0]!.result.score).toBe(honest.claim.score);
    expect(judged[0]!.inputs).toEqual(honest.inputs);
  });

  test.each([
    ['not an object', 7, VerdictReason.MALFORMED],
    ['a tick below one', { firstTick: 0, inputs: new Uint8Array(1) }, VerdictReason.MALFORMED],
    ['an empty batch', { firstTick: 1, inputs: new Uint8Array(0) }, VerdictReason.MALFORMED],
    ['inputs as a list', { firstTick: 1, inputs: [1, 2] }, VerdictReason.MALFORMED],
    ['601 ticks', { firstTick: 1, inputs: new Uint8Array(601) }, VerdictReason.OVERSIZED],
    ['a start far ahead', { firstTick: 1_202, inputs: new Uint8Array(1) }, VerdictReason.OVERSIZED],
    ['bit 16', { firstTick: 1, inputs: Uint8Array.of(2, 16) }, VerdictReason.UNDEFINED_BITS],
  ])('a batch with %s is rejected', (_name, payload, reason) => {
    const { run, clock, judged } = session();
    clock.ms = 1_000;
    expect(run.receiveInputs(payload)).toBe(false);
    expect(judged.map((j) => j.reason)).toEqual([reason]);
  });

  test('a claim for a tick the server has not ended on is a mismatch', () => {
    const { run, clock, judged } = session();
    clock.ms = 10_000;
    run.receiveInputs(batch(1, 300));
    expect(run.receiveClaim({ finalTick: 300, score: 1, hash: '0123456789abcdef' })).toBe(false);
    expect(judged[0]).toMatchObject({
      verdict: Verdict.REJECTED,
      reason: VerdictReason.CLAIM_MISMATCH,
    });
  });

  test('falling further behind real time than the allowance is unranked', () => {
    const { run, clock, judged } = session();
    clock.ms = 10_000;
    run.receiveInputs(batch(1, 1));
    expect(judged).toEqual([]);
    clock.ms = 10_100;
    expect(run.poll()).toBe(false);
    expect(judged[0]).toMatchObject({ verdict: Verdict.UNRANKED, reason: VerdictReason.TOO_SLOW });
  });
});
