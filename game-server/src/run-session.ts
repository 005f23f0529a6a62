import { createRun, MAX_RUN_TICKS, TICK_RATE, isValidInput } from '@truerun/shared-sim';
import type { Run, RunResult } from '@truerun/shared-sim';
import {
  CHECKPOINT_INTERVAL_TICKS,
  MAX_BATCH_TICKS,
  MAX_REORDER_TICKS,
  Verdict,
  VerdictReason,
} from '@truerun/shared-sim/protocol';
import type { Claim } from '@truerun/shared-sim/protocol';
import type { RunClock } from './clock.ts';

/** Tolerance of the too-fast rule: 0.2 % of clock drift and two ticks of early stepping. */
const CLOCK_DRIFT = 1.002;
const EARLY_TICKS = 2;

const HASH_PATTERN = /^[0-9a-f]{16}$/;

/** Thresholds of the judgement rules that are not part of the wire protocol. */
export interface RunLimits {
  /** Ticks received ahead of the server's clock before the run is rejected as too fast. */
  heldLimitTicks: number;
  /** How far, in ms, the simulation may trail real time before the run ends as too slow. */
  slowAllowanceMs: number;
  /** How long, in ms, the server waits for a claim after its simulation ended. */
  claimTimeoutMs: number;
}

/** Two seconds of held ticks, ten seconds of lag, ten seconds to claim. */
export const DEFAULT_RUN_LIMITS: RunLimits = {
  heldLimitTicks: 2 * TICK_RATE,
  slowAllowanceMs: 10_000,
  claimTimeoutMs: 10_000,
};

/** What a run is, fixed when it starts. */
export interface RunIdentity {
  runId: string;
  userId: string;
  username: string;
  seasonId: string;
  roomId: string;
  seed: number;
  ruleset: number;
  courseLength: number;
  startedAt: Date;
}

/** A judged run: the verdict, the server's result and the inputs it simulated. */
export interface Judgement {
  verdict: Verdict;
  reason: VerdictReason;
  result: RunResult;
  claim: Claim | null;
  /** First checkpoint tick where the client's hash differed from the server's, if any. */
  divergedTick: number | null;
  /** The simulated ticks' inputs, tick 1 first. */
  inputs: Uint8Array;
  endedAt: Date;
}

/** Where a session reports what the room must pass on. */
export interface RunSessionListener {
  /** The server's hash after a checkpoint tick. */
  checkpoint(tick: number, hash: string): void;
  /** Called exactly once, when the run is judged. */
  judged(judgement: Judgement): void;
}

/**
 * One player's run as the server simulates and judges it.
 *
 * Inputs are stored as they arrive, in a buffer sized for the longest run, and simulated only
 * up to the highest contiguous tick the server's clock allows. Every rule is a guard clause
 * that ends the run with its reason code. Receiving and simulating allocate nothing per tick.
 */
export class RunSession {
  readonly identity: RunIdentity;
  private readonly run: Run;
  private readonly clock: RunClock;
  private readonly limits: RunLimits;
  private readonly listener: RunSessionListener;
  private readonly startMs: number;

  /** Input of tick t at index t; `received[t]` is 1 once tick t arrived. */
  private readonly inputs = new Uint8Array(MAX_RUN_TICKS + 1);
  private readonly received = new Uint8Array(MAX_RUN_TICKS + 1);
  private contiguous = 0;
  private highest = 0;

  private readonly serverHashes: string[] = [];
  private readonly clientHashes: string[] = [];
  private claim: Claim | null = null;
  private simEndedMs = -1;
  private judgement: Judgement | null = null;

  constructor(
    identity: RunIdentity,
    clock: RunClock,
    limits: RunLimits,
    listener: RunSessionListener,
  ) {
    this.identity = identity;
    this.clock = clock;
    this.limits = limits;
    this.listener = listener;
    this.run = createRun({
      seed: identity.seed,
      ruleset: identity.ruleset,
      courseLength: identity.courseLength,
    });
    this.startMs = clock.now();
  }

  /** True once the run has its verdict. */
  get judged(): boolean {
    return this.judgement !== null;
  }

  /** Highest tick such that every tick up to it has been received. */
  get receivedTick(): number {
    return this.contiguous;
  }

  /** Ticks simulated so far. */
  get processedTick(): number {
    return this.run.tick;
  }

  /** The simulated player, for the ghost. */
  get player(): Run['player'] {
    return this.run.player;
  }

  /**
   * Takes one `inputs` payload. Returns false when the payload ended the run; otherwise the
   * ticks are stored and simulated as far as the clock allows.
   */
  receiveInputs(payload: unknown): boolean {
    if (this.judged) return false;
    const batch = payload as { firstTick?: unknown; inputs?: unknown } | null;
    if (typeof batch !== 'object' || batch === null) return this.reject(VerdictReason.MALFORMED);
    const { firstTick, inputs } = batch;

    // Guard: the payload must be a batch of at least one tick inside the longest run.
    if (!Number.isInteger(firstTick) || !(inputs instanceof Uint8Array)) {
      return this.reject(VerdictReason.MALFORMED);
    }
    const first = firstTick as number;
    if (first < 1 || inputs.length === 0) return this.reject(VerdictReason.MALFORMED);

    // Guard: one batch is bounded, and so is how far ahead of the received ticks it may start.
    if (inputs.length > MAX_BATCH_TICKS) return this.reject(VerdictReason.OVERSIZED);
    if (first > this.contiguous + 1 + MAX_REORDER_TICKS) {
      return this.reject(VerdictReason.OVERSIZED);
    }

    // Guard: no run goes past its last possible tick, nor past the tick the server ended on.
    const last = first + inputs.length - 1;
    if (last > MAX_RUN_TICKS) return this.reject(VerdictReason.INPUTS_AFTER_END);
    if (this.run.ended && last > this.run.tick) return this.reject(VerdictReason.INPUTS_AFTER_END);

    // Guard: only defined input bits.
    for (let i = 0; i < inputs.length; i++) {
      if (!isValidInput(inputs[i]!)) return this.reject(VerdictReason.UNDEFINED_BITS);
    }

    // Guard: a tick received before must repeat the same input.
    for (let i = 0; i < inputs.length; i++) {
      const tick = first + i;
      if (this.received[tick] === 1 && this.inputs[tick] !== inputs[i]) {
        return this.reject(VerdictReason.CONTRADICTS_EARLIER);
      }
    }

    this.store(first, inputs);
    return this.update();
  }

  /** Takes the client's own checkpoint hash. Returns false when the payload ended the run. */
  receiveCheckpoint(payload: unknown): boolean {
    if (this.judged) return false;
    const checkpoint = payload as { tick?: unknown; hash?: unknown } | null;
    if (typeof checkpoint !== 'object' || checkpoint === null) {
      return this.reject(VerdictReason.MALFORMED);
    }
    const { tick, hash } = checkpoint;
    if (!isCheckpointTick(tick) || typeof hash !== 'string' || !HASH_PATTERN.test(hash)) {
      return this.reject(VerdictReason.MALFORMED);
    }
    this.clientHashes[tick / CHECKPOINT_INTERVAL_TICKS - 1] = hash;
    return true;
  }

  /** Takes the claim. Only the first claim counts. Returns false when the run was judged. */
  receiveClaim(payload: unknown): boolean {
    if (this.judged) return false;
    if (this.claim !== null) return true;
    const claim = payload as { finalTick?: unknown; score?: unknown; hash?: unknown } | null;
    if (typeof claim !== 'object' || claim === null) return this.reject(VerdictReason.MALFORMED);
    const { finalTick, score, hash } = claim;
    if (
      !Number.isInteger(finalTick) ||
      (finalTick as number) < 1 ||
      (finalTick as number) > MAX_RUN_TICKS ||
      !Number.isInteger(score) ||
      typeof hash !== 'string' ||
      !HASH_PATTERN.test(hash)
    ) {
      return this.reject(VerdictReason.MALFORMED);
    }
    this.claim = { finalTick: finalTick as number, score: score as number, hash };
    return this.update();
  }

  /**
   * Simulates held inputs the clock now allows and applies the time rules (too slow, no
   * claim). The room calls this a few times a second. Returns false once the run is judged.
   */
  poll(): boolean {
    if (this.judged) return false;
    return this.update();
  }

  /** Ends the run now with a verdict that is not about its inputs (left, shutdown). */
  end(verdict: Verdict, reason: VerdictReason): void {
    if (this.judged) return;
    this.finish(verdict, reason);
  }

  /** Rejects the run for a reason the room found (flooding). */
  reject(reason: VerdictReason): false {
    if (!this.judged) this.finish(Verdict.REJECTED, reason);
    return false;
  }

  private store(first: number, inputs: Uint8Array): void {
    this.inputs.set(inputs, first);
    this.received.fill(1, first, first + inputs.length);
    const last = first + inputs.length - 1;
    if (last > this.highest) this.highest = last;
    let tick = this.contiguous;
    while (tick < MAX_RUN_TICKS && this.received[tick + 1] === 1) tick++;
    this.contiguous = tick;
  }

  /** Simulates what may be simulated, then judges. */
  private update(): boolean {
    const now = this.clock.now();
    const allowed = this.allowedTick(now);
    this.simulate(Math.min(this.contiguous, allowed));

    // Rule: no inputs after the server's own end of the run.
    if (this.run.ended && this.highest > this.run.tick) {
      return this.reject(VerdictReason.INPUTS_AFTER_END);
    }

    // Rule: a claim is judged once the server has reached its tick or ended.
    const claim = this.claim;
    if (claim !== null && (this.run.ended || this.run.tick >= claim.finalTick)) {
      const result = this.run.result();
      const matches =
        this.run.ended &&
        result.ticks === claim.finalTick &&
        result.score === claim.score &&
        result.finalHash === claim.hash;
      this.finish(
        matches ? Verdict.VERIFIED : Verdict.REJECTED,
        matches ? VerdictReason.OK : VerdictReason.CLAIM_MISMATCH,
      );
      return false;
    }

    // Rule: received ticks ahead of the clock are held; too many held means a fast clock.
    if (this.highest - allowed > this.limits.heldLimitTicks) {
      return this.reject(VerdictReason.TOO_FAST);
    }

    // Rule: a run that ended waits a bounded time for its claim.
    if (this.run.ended) {
      if (this.simEndedMs < 0) this.simEndedMs = now;
      if (now - this.simEndedMs > this.limits.claimTimeoutMs) {
        this.finish(Verdict.UNRANKED, VerdictReason.NO_CLAIM);
        return false;
      }
      return true;
    }

    // Rule: a run that trails real time too far cannot be ranked fairly.
    const lagMs = now - this.startMs - (this.run.tick * 1000) / TICK_RATE;
    if (lagMs > this.limits.slowAllowanceMs) {
      this.finish(Verdict.UNRANKED, VerdictReason.TOO_SLOW);
      return false;
    }
    return true;
  }

  /** The highest tick the server's clock allows: n <= 60 * E * 1.002 + 2. */
  private allowedTick(now: number): number {
    const elapsedSec = (now - this.startMs) / 1000;
    return Math.floor(TICK_RATE * elapsedSec * CLOCK_DRIFT + EARLY_TICKS);
  }

  private simulate(limit: number): void {
    const run = this.run;
    while (run.tick < limit && !run.ended) {
      run.step(this.inputs[run.tick + 1]!);
      if (run.tick % CHECKPOINT_INTERVAL_TICKS === 0) {
        const hash = run.stateHash();
        this.serverHashes[run.tick / CHECKPOINT_INTERVAL_TICKS - 1] = hash;
        this.listener.checkpoint(run.tick, hash);
      }
    }
  }

  private finish(verdict: Verdict, reason: VerdictReason): void {
    this.judgement = {
      verdict,
      reason,
      result: this.run.result(),
      claim: this.claim,
      divergedTick: verdict === Verdict.VERIFIED ? null : this.firstDivergence(),
      inputs: this.inputs.slice(1, this.run.tick + 1),
      endedAt: new Date(),
    };
    this.listener.judged(this.judgement);
  }

  private firstDivergence(): number | null {
    const count = Math.min(this.serverHashes.length, this.clientHashes.length);
    for (let i = 0; i < count; i++) {
      const client = this.clientHashes[i];
      const server = this.serverHashes[i];
      if (client !== undefined && server !== undefined && client !== server) {
        return (i + 1) * CHECKPOINT_INTERVAL_TICKS;
      }
    }
    return null;
  }
}

function isCheckpointTick(tick: unknown): tick is number {
  return (
    Number.isInteger(tick) &&
    (tick as number) > 0 &&
    (tick as number) <= MAX_RUN_TICKS &&
    (tick as number) % CHECKPOINT_INTERVAL_TICKS === 0
  );
}
