/** One observed position of another player, stamped with the local time it arrived. */
interface GhostSample {
  atMs: number;
  x: number;
  y: number;
}

/** Where a ghost is drawn in a frame. */
export interface GhostPose {
  x: number;
  y: number;
  /** 1 when moving right or standing, -1 when moving left. */
  facing: 1 | -1;
}

/** Options of a `GhostTrack`. */
export interface GhostTrackOptions {
  /**
   * How far behind the newest sample the ghost is drawn, in milliseconds. Drawing in the past
   * keeps two samples around the drawn instant, so the ghost glides between them instead of
   * jumping when a sample arrives. Default 200 ms, a little over two updates at 10 Hz.
   */
  delayMs?: number;
  /** Samples kept per ghost. Default 16. */
  capacity?: number;
}

/**
 * The recent positions of one other player, interpolated for drawing. Samples arrive at the
 * server's update rate with network jitter; `pose` blends the two samples around
 * `now - delay` and holds the last position when updates stop.
 */
export class GhostTrack {
  readonly delayMs: number;
  private readonly samples: GhostSample[];
  private start = 0;
  private count = 0;
  private facing: 1 | -1 = 1;

  constructor(options: GhostTrackOptions = {}) {
    this.delayMs = options.delayMs ?? 200;
    const capacity = options.capacity ?? 16;
    this.samples = Array.from({ length: capacity }, () => ({ atMs: 0, x: 0, y: 0 }));
  }

  /** Number of samples held. */
  get size(): number {
    return this.count;
  }

  /** Records a position received at local time `atMs`. Out-of-order arrivals are dropped. */
  push(atMs: number, x: number, y: number): void {
    if (this.count > 0 && atMs < this.at(this.count - 1).atMs) return;
    const capacity = this.samples.length;
    if (this.count === capacity) {
      this.start = (this.start + 1) % capacity;
      this.count--;
    }
    const slot = this.samples[(this.start + this.count) % capacity]!;
    slot.atMs = atMs;
    slot.x = x;
    slot.y = y;
    this.count++;
  }

  /** The pose to draw at local time `nowMs`, written into `out`; false before any sample. */
  pose(nowMs: number, out: GhostPose): boolean {
    if (this.count === 0) return false;
    const drawAt = nowMs - this.delayMs;

    // Find the last sample at or before the drawn instant.
    let i = this.count - 1;
    while (i > 0 && this.at(i).atMs > drawAt) i--;
    const a = this.at(i);
    const b = i + 1 < this.count ? this.at(i + 1) : a;

    const span = b.atMs - a.atMs;
    const t = span > 0 ? clamp01((drawAt - a.atMs) / span) : 1;
    out.x = a.x + (b.x - a.x) * t;
    out.y = a.y + (b.y - a.y) * t;
    // Facing follows the last movement, also while holding the newest position.
    const from = a === b && i > 0 ? this.at(i - 1) : a;
    if (b.x > from.x + 0.5) this.facing = 1;
    else if (b.x < from.x - 0.5) this.facing = -1;
    out.facing = this.facing;
    return true;
  }

  private at(i: number): GhostSample {
    return this.samples[(this.start + i) % this.samples.length]!;
  }
}

function clamp01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}
