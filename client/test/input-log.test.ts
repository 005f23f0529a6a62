import { describe, expect, it } from 'vitest';
import { MAX_BATCH_TICKS } from '@truerun/shared-sim/protocol';
import { InputLog } from '../app/game/input-log.ts';

describe('InputLog', () => {
  it('batches every unacknowledged tick from the first one', () => {
    const log = new InputLog();
    for (let tick = 1; tick <= 5; tick++) log.record(tick, tick % 3);
    expect(log.nextBatch()).toEqual({ firstTick: 1, inputs: Uint8Array.from([1, 2, 0, 1, 2]) });
    log.acknowledge(3);
    log.record(6, 4);
    expect(log.nextBatch()).toEqual({ firstTick: 4, inputs: Uint8Array.from([1, 2, 4]) });
    log.acknowledge(6);
    expect(log.nextBatch()).toBe(null);
  });

  it('repeats a lost batch in the next one and ignores stale acks', () => {
    const log = new InputLog();
    log.record(1, 2);
    log.nextBatch();
    log.record(2, 2);
    log.acknowledge(2);
    log.acknowledge(1);
    expect(log.acknowledged).toBe(2);
    log.record(3, 6);
    expect(log.nextBatch()).toEqual({ firstTick: 3, inputs: Uint8Array.from([6]) });
  });

  it('caps a batch at the protocol limit, oldest ticks first', () => {
    const log = new InputLog();
    for (let tick = 1; tick <= MAX_BATCH_TICKS + 10; tick++) log.record(tick, 2);
    const batch = log.nextBatch()!;
    expect(batch.firstTick).toBe(1);
    expect(batch.inputs.length).toBe(MAX_BATCH_TICKS);
  });

  it('refuses a tick that does not follow the last one', () => {
    const log = new InputLog();
    log.record(1, 0);
    expect(() => log.record(3, 0)).toThrow(RangeError);
  });
});
