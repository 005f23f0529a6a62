import { describe, expect, test } from 'vitest';
import { BotPolicy, Input, RULESET_VERSION, createRun } from '@truerun/shared-sim';
import { ClientMessage, MAX_BATCH_TICKS } from '@truerun/shared-sim/protocol';
import { ALL_KINDS, BotKind, KIND_SPECS } from '../src/bot-kinds.ts';
import { GOOD_NETWORK, tacticsFor } from '../src/tactics.ts';
import type { RunActionContext } from '../src/tactics.ts';

function context(ackTick: number, inputs: Uint8Array, hash: string | null = null) {
  const sent: { type: string; payload: unknown }[] = [];
  const ctx: RunActionContext = {
    ackTick,
    inputs,
    firstCheckpointHash: hash,
    send: (type, payload) => sent.push({ type, payload }),
  };
  return { ctx, sent };
}

describe('bot tactics', () => {
  test('honest kinds play fair: real-time clock, own claim, no changes to inputs', () => {
    for (const kind of ALL_KINDS.filter((k) => KIND_SPECS[k].honest)) {
      const tactics = tacticsFor(kind);
      expect(tactics.clockRate).toBe(1);
      expect(tactics.beforeStep).toBeNull();
      expect(tactics.input).toBeNull();
      expect(tactics.ticksAfterEnd).toBe(0);
      expect(tactics.actions).toEqual([]);
      const own = { finalTick: 700, score: 640, hash: '0123456789abcdef' };
      expect(tactics.claim(own)).toEqual(own);
    }
    expect(tacticsFor(BotKind.HONEST).network).toEqual(GOOD_NETWORK);
    expect(tacticsFor(BotKind.HONEST_RECONNECT).network.dropAtMs).toBe(3_000);
  });

  test('the sped-up clock runs twice as fast', () => {
    expect(tacticsFor(BotKind.FAST_CLOCK).clockRate).toBe(2);
  });

  test('the forged claim adds 500 points and keeps the rest', () => {
    const own = { finalTick: 700, score: 640, hash: '0123456789abcdef' };
    expect(tacticsFor(BotKind.FORGED_CLAIM).claim(own)).toEqual({ ...own, score: 1140 });
  });

  test('the injected bit appears on tick 90 only', () => {
    const input = tacticsFor(BotKind.UNDEFINED_BITS).input!;
    expect(input(89, Input.RIGHT)).toBe(Input.RIGHT);
    expect(input(90, Input.RIGHT)).toBe(Input.RIGHT | 0x10);
    expect(input(91, Input.RIGHT)).toBe(Input.RIGHT);
  });

  test('the modified simulation reaches another state from the same inputs', () => {
    const beforeStep = tacticsFor(BotKind.MODIFIED_SIM).beforeStep!;
    const fair = createRun({ seed: 7, ruleset: RULESET_VERSION });
    const modified = createRun({ seed: 7, ruleset: RULESET_VERSION });
    const policy = new BotPolicy();
    for (let tick = 0; tick < 60; tick++) {
      const bits = policy.decide(fair);
      fair.step(bits);
      beforeStep(modified);
      modified.step(bits);
    }
    expect(modified.stateHash()).not.toBe(fair.stateHash());
  });

  test('the contradicting replay resends the last acknowledged second with jump flipped', () => {
    const [replay] = tacticsFor(BotKind.CONTRADICTING_REPLAY).actions;
    const inputs = new Uint8Array(150).fill(Input.RIGHT);
    expect(replay!.ready!(context(59, inputs).ctx)).toBe(false);
    const { ctx, sent } = context(120, inputs);
    expect(replay!.ready!(ctx)).toBe(true);
    replay!.run(ctx);
    expect(sent).toEqual([
      {
        type: ClientMessage.INPUTS,
        payload: { firstTick: 61, inputs: new Uint8Array(60).fill(Input.RIGHT | Input.JUMP) },
      },
    ]);
  });

  test('the oversized batch is one tick over the limit, the malformed one is not a batch', () => {
    const [oversized] = tacticsFor(BotKind.OVERSIZED_BATCH).actions;
    const big = context(30, new Uint8Array(40));
    oversized!.run(big.ctx);
    const batch = big.sent[0]!.payload as { firstTick: number; inputs: Uint8Array };
    expect(batch.firstTick).toBe(31);
    expect(batch.inputs).toHaveLength(MAX_BATCH_TICKS + 1);

    const [malformed] = tacticsFor(BotKind.MALFORMED).actions;
    const bad = context(30, new Uint8Array(40));
    malformed!.run(bad.ctx);
    expect(bad.sent).toEqual([
      { type: ClientMessage.INPUTS, payload: { firstTick: 'next', inputs: [Input.RIGHT] } },
    ]);
  });

  test('the flood is 300 well-formed checkpoints at once', () => {
    const [flood] = tacticsFor(BotKind.FLOODING).actions;
    expect(flood!.ready!(context(60, new Uint8Array(60)).ctx)).toBe(false);
    const { ctx, sent } = context(60, new Uint8Array(60), '00112233445566aa');
    flood!.run(ctx);
    expect(sent).toHaveLength(300);
    expect(sent[299]).toEqual({
      type: ClientMessage.CHECKPOINT,
      payload: { tick: 60, hash: '00112233445566aa' },
    });
  });
});
