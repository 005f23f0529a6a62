import { DEFAULT_COURSE_LENGTH, RULESET_VERSION } from '@truerun/shared-sim';
import { CHECKPOINT_INTERVAL_TICKS, ROOM_PROTOCOL_VERSION } from '@truerun/shared-sim/protocol';
import type { Claim, InputBatch } from '@truerun/shared-sim/protocol';
import type { RunLink, RunLinkEvents } from './run-link.ts';

/**
 * A practice run with no server: it starts at once on the given seed, acknowledges every
 * batch and judges nothing. The game plays exactly as in a ranked run, which makes this the
 * way to try a course, and to develop the client without the backend.
 */
export class PracticeLink implements RunLink {
  readonly ranked = false;
  private readonly seed: number;
  private events: RunLinkEvents | null = null;

  constructor(seed: number) {
    this.seed = seed >>> 0;
  }

  async open(events: RunLinkEvents): Promise<void> {
    this.events = events;
    events.start({
      protocol: ROOM_PROTOCOL_VERSION,
      runId: `practice-${this.seed}`,
      seasonId: 'practice',
      seed: this.seed,
      ruleset: RULESET_VERSION,
      courseLength: DEFAULT_COURSE_LENGTH,
      checkpointInterval: CHECKPOINT_INTERVAL_TICKS,
      startedAt: new Date().toISOString(),
    });
  }

  sendInputs(batch: InputBatch): void {
    const last = batch.firstTick + batch.inputs.length - 1;
    this.events?.acknowledged({ tick: last, processed: last });
  }

  sendCheckpoint(): void {}

  sendClaim(_claim: Claim): void {}

  async close(): Promise<void> {
    this.events = null;
  }
}
