import { TICK_MS } from '@truerun/shared-sim';

/** Options of a `FixedStepClock`. */
export interface FixedStepOptions {
  /** Length of one simulation step in milliseconds; defaults to the ruleset's tick. */
  stepMs?: number;
  /**
   * Most steps one frame may run. A longer frame drops the time beyond it instead of catching
   * up in a burst, so a hitch slows the run down rather than fast-forwarding it. Default 6
   * (100 ms at 60 Hz).
   */
  maxStepsPerFrame?: number;
}

/**
 * Turns frame timestamps into a whole number of fixed simulation steps. Time left over stays
 * in the accumulator for the next frame, so the simulation runs at exactly one step per
 * `stepMs` on average whatever the display's frame rate, and `alpha` tells the renderer how far
 * the present lies between the last two steps.
 *
 * While paused no time accumulates: resuming continues from the step it stopped at.
 */
export class FixedStepClock {
  readonly stepMs: number;
  readonly maxStepsPerFrame: number;
  private accumulator = 0;
  private lastFrameMs: number | null = null;
  private pausedFlag = false;
  private droppedMs = 0;

  constructor(options: FixedStepOptions = {}) {
    this.stepMs = options.stepMs ?? TICK_MS;
    this.maxStepsPerFrame = options.maxStepsPerFrame ?? 6;
  }

  /** Fraction of a step elapsed since the last step, 0 to 1, for interpolated drawing. */
  get alpha(): number {
    return this.accumulator / this.stepMs;
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  /** Milliseconds thrown away by frames longer than `maxStepsPerFrame` steps. */
  get dropped(): number {
    return this.droppedMs;
  }

  /** Number of steps to run for a frame drawn at `nowMs` (a monotonic clock). */
  advance(nowMs: number): number {
    if (this.pausedFlag) return 0;
    if (this.lastFrameMs === null) {
      this.lastFrameMs = nowMs;
      return 0;
    }
    const elapsed = Math.max(0, nowMs - this.lastFrameMs);
    this.lastFrameMs = nowMs;
    this.accumulator += elapsed;

    let steps = Math.floor(this.accumulator / this.stepMs);
    this.accumulator -= steps * this.stepMs;
    if (steps > this.maxStepsPerFrame) {
      this.droppedMs += (steps - this.maxStepsPerFrame) * this.stepMs;
      steps = this.maxStepsPerFrame;
    }
    return steps;
  }

  /** Stops accumulating time; `advance` returns 0 until `resume`. */
  pause(): void {
    this.pausedFlag = true;
  }

  /** Starts accumulating again from the next frame, without counting the paused time. */
  resume(): void {
    this.pausedFlag = false;
    this.lastFrameMs = null;
  }
}
