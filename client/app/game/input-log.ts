import { MAX_BATCH_TICKS } from '@truerun/shared-sim/protocol';
import type { InputBatch } from '@truerun/shared-sim/protocol';

/** Options of an `InputLog`. */
export interface InputLogOptions {
  /** Most ticks one batch carries; older unacknowledged ticks go first. Default: the protocol's. */
  maxBatchTicks?: number;
}

/**
 * Every tick's input of the run, and which of them the server has acknowledged. A batch
 * always starts at the first unacknowledged tick, so a lost or late batch is repaired by the
 * next one rather than stalling the run; the server drops the ticks it already has.
 */
export class InputLog {
  readonly maxBatchTicks: number;
  /** Entry i is the input of tick i + 1. */
  private readonly inputs: number[] = [];
  private acked = 0;
  private sentThrough = 0;

  constructor(options: InputLogOptions = {}) {
    this.maxBatchTicks = options.maxBatchTicks ?? MAX_BATCH_TICKS;
  }

  /** Last tick recorded. */
  get lastTick(): number {
    return this.inputs.length;
  }

  /** Last tick the server acknowledged. */
  get acknowledged(): number {
    return this.acked;
  }

  /** Ticks recorded but not yet acknowledged. */
  get unacknowledged(): number {
    return this.inputs.length - this.acked;
  }

  /** All inputs so far, one per tick from tick 1. */
  get all(): readonly number[] {
    return this.inputs;
  }

  /** Records the input of the next tick; `tick` must follow the last one. */
  record(tick: number, bits: number): void {
    if (tick !== this.inputs.length + 1) {
      throw new RangeError(`tick ${tick} does not follow ${this.inputs.length}`);
    }
    this.inputs.push(bits);
  }

  /** Marks every tick up to `tick` as received by the server. Older acks are ignored. */
  acknowledge(tick: number): void {
    const through = Math.min(tick, this.inputs.length);
    if (through > this.acked) this.acked = through;
  }

  /** True when ticks were recorded since the last batch was taken. */
  get hasNew(): boolean {
    return this.inputs.length > this.sentThrough;
  }

  /** The next batch to send: the unacknowledged ticks, or null when there are none. */
  nextBatch(): InputBatch | null {
    if (this.acked === this.inputs.length) return null;
    const from = this.acked;
    const to = Math.min(this.inputs.length, from + this.maxBatchTicks);
    this.sentThrough = Math.max(this.sentThrough, to);
    return { firstTick: from + 1, inputs: Uint8Array.from(this.inputs.slice(from, to)) };
  }
}
