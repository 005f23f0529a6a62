/** Percentiles of a set of durations, in milliseconds. */
export interface DurationSummary {
  count: number;
  median: number;
  p99: number;
  max: number;
}

/**
 * The last `capacity` frames' timings: the interval between frames (what the player sees)
 * and the work done inside each frame (simulation plus drawing, what the page costs).
 */
export class FrameStats {
  private readonly intervals: Float64Array;
  private readonly work: Float64Array;
  private count = 0;
  private lastFrameMs: number | null = null;

  constructor(capacity = 36_000) {
    this.intervals = new Float64Array(capacity);
    this.work = new Float64Array(capacity);
  }

  /** Records a frame that began at `startMs` and whose work took `workMs`. */
  record(startMs: number, workMs: number): void {
    const slot = this.count % this.work.length;
    this.work[slot] = workMs;
    this.intervals[slot] = this.lastFrameMs === null ? Number.NaN : startMs - this.lastFrameMs;
    this.lastFrameMs = startMs;
    this.count++;
  }

  /** Forgets everything, for measuring from a known instant. */
  reset(): void {
    this.count = 0;
    this.lastFrameMs = null;
  }

  /** Frame-to-frame intervals and per-frame work, summarised. */
  summary(): { frames: number; interval: DurationSummary; work: DurationSummary } {
    const n = Math.min(this.count, this.work.length);
    return {
      frames: n,
      interval: summarise(Array.from(this.intervals.subarray(0, n)).filter((v) => v === v)),
      work: summarise(Array.from(this.work.subarray(0, n))),
    };
  }
}

/** Median, 99th percentile (nearest rank) and maximum of `values`. */
export function summarise(values: number[]): DurationSummary {
  if (values.length === 0) return { count: 0, median: 0, p99: 0, max: 0 };
  const sorted = values.slice().sort((a, b) => a - b);
  const rank = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return {
    count: sorted.length,
    median: rank(0.5),
    p99: rank(0.99),
    max: sorted[sorted.length - 1]!,
  };
}
