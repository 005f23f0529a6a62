/** The first tick at which the server's state and this client's disagreed. */
export interface Divergence {
  tick: number;
  serverHash: string;
  /** This client's hash after that tick. */
  clientHash: string;
}

/** What comparing one server checkpoint found. */
export type CheckpointMatch = 'match' | 'mismatch' | 'unknown';

/**
 * This client's state hashes at checkpoint ticks, checked against the checkpoints the server
 * sends. A mismatch means the two simulations disagree: the run will be rejected at its claim,
 * and the first diverging tick is what a developer needs to know. Holds the last `capacity`
 * checkpoints (default 64, a minute of server lag at one per second).
 */
export class CheckpointBook {
  private readonly ticks: Int32Array;
  private readonly hashes: string[];
  private next = 0;
  private matchedCount = 0;
  private firstDivergence: Divergence | null = null;

  constructor(capacity = 64) {
    this.ticks = new Int32Array(capacity).fill(-1);
    this.hashes = new Array<string>(capacity).fill('');
  }

  /** Checkpoints that matched so far. */
  get matched(): number {
    return this.matchedCount;
  }

  /** The first checkpoint that did not match, or null while all agree. */
  get divergence(): Divergence | null {
    return this.firstDivergence;
  }

  /** Stores this client's hash after `tick`. */
  record(tick: number, hash: string): void {
    const slot = this.next % this.ticks.length;
    this.ticks[slot] = tick;
    this.hashes[slot] = hash;
    this.next++;
  }

  /** This client's hash after `tick`, if it was recorded and is still held. */
  hashAt(tick: number): string | null {
    for (let i = 0; i < this.ticks.length; i++) {
      if (this.ticks[i] === tick) return this.hashes[i]!;
    }
    return null;
  }

  /**
   * Compares a server checkpoint with this client's hash at the same tick. 'unknown' means this
   * client holds no hash for that tick: it has not reached it yet, or forgot it long ago.
   */
  compare(tick: number, serverHash: string): CheckpointMatch {
    const own = this.hashAt(tick);
    if (own === null) return 'unknown';
    if (own === serverHash) {
      this.matchedCount++;
      return 'match';
    }
    this.firstDivergence ??= { tick, serverHash, clientHash: own };
    return 'mismatch';
  }
}
