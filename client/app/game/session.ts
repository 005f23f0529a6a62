import { createRun } from '@truerun/shared-sim';
import type { Run, RunResult, SimEvent } from '@truerun/shared-sim';
import type { GhostView, InputAck, RunStart, VerdictMessage } from '@truerun/shared-sim/protocol';
import { INPUT_BATCH_INTERVAL_MS, ProtocolErrorCode } from '@truerun/shared-sim/protocol';
import { CheckpointBook } from './checkpoints.ts';
import type { Divergence } from './checkpoints.ts';
import { FixedStepClock } from './fixed-step.ts';
import { GhostTrack } from './ghosts.ts';
import type { GhostPose } from './ghosts.ts';
import { InputLog } from './input-log.ts';
import { HeldControls } from './keyboard.ts';
import type { RunLink, RunLinkEvents } from './run-link.ts';

/** Where a session is in its run, in the order it goes through them. */
export const SessionPhase = {
  CONNECTING: 'connecting',
  /** Joined; waiting for the server's start. */
  WAITING: 'waiting',
  RUNNING: 'running',
  PAUSED: 'paused',
  /** The simulation ended and the claim is sent; waiting for the verdict. */
  CLAIMED: 'claimed',
  JUDGED: 'judged',
  FAILED: 'failed',
} as const;

export type SessionPhase = (typeof SessionPhase)[keyof typeof SessionPhase];

/** Why the run is paused. */
export type PauseCause = 'menu' | 'hidden';

/** The numbers the HUD shows; a new object whenever one of them changes. */
export interface HudState {
  phase: SessionPhase;
  pauseCause: PauseCause | null;
  hp: number;
  maxHp: number;
  score: number;
  distance: number;
  /** Share of the course covered, 0 to 1. */
  progress: number;
  tick: number;
  /** Server checkpoints that matched this client's so far. */
  checkpointsMatched: number;
  /** True once a server checkpoint disagreed with this client's simulation. */
  diverged: boolean;
  /** True while the connection is down and being re-established. */
  reconnecting: boolean;
  ghosts: number;
}

/** How the run ended for the player: the authority's verdict, or a practice result. */
export interface SessionOutcome {
  ranked: boolean;
  /** The server's judgement; null for practice. */
  verdict: VerdictMessage | null;
  /** What this client's own simulation ended with. */
  local: RunResult;
  divergence: Divergence | null;
  /** Set when the run could not be judged because the connection failed. */
  failure: { code: string; message: string } | null;
}

/**
 * Callbacks tests and benchmarks may install on the page. `beforeTick` runs right before a
 * tick's input is sampled, with the run as it stands, so a script can press keys for it.
 */
export interface SessionHooks {
  beforeTick?: (run: Run) => void;
}

/** Options of a `GameSession`. */
export interface GameSessionOptions {
  link: RunLink;
  /** Id of the signed-in player, so their own seat is not drawn as a ghost. */
  userId: string | null;
  maxHp: number;
  /** Called whenever a HUD number changes. */
  onHud?: (hud: HudState) => void;
  /** Called once with the outcome when the run is judged or fails. */
  onOutcome?: (outcome: SessionOutcome) => void;
  /** Called when the start arrives and the course exists, before the first tick. */
  onRunCreated?: (run: Run, start: RunStart) => void;
}

/** Unacknowledged ticks are sent again after this long without an answer. */
const RESEND_AFTER_MS = 400;

/**
 * One player's run in the browser. It steps shared-sim at the fixed tick rate behind an
 * accumulator, samples the controls once per tick, streams the inputs to the link as they
 * happen, checks the server's checkpoints against its own hashes, and ends with a claim.
 * The renderer only reads `run`, `events` and `ghostPose`.
 */
export class GameSession {
  readonly controls = new HeldControls();
  readonly hooks: SessionHooks = {};
  readonly clock = new FixedStepClock();
  readonly log = new InputLog();
  readonly book = new CheckpointBook();
  /** Copies of the events of the ticks stepped in the last frame, for the renderer. */
  readonly events: SimEvent[] = [];
  /** The player's position one tick before the current one, for interpolated drawing. */
  readonly previousPosition = { x: 0, y: 0 };

  private readonly options: GameSessionOptions;
  private readonly link: RunLink;
  private readonly ghosts = new Map<string, { track: GhostTrack; name: string; done: boolean }>();
  private runValue: Run | null = null;
  private start: RunStart | null = null;
  private phaseValue: SessionPhase = SessionPhase.CONNECTING;
  private pauseCause: PauseCause | null = null;
  private lastSendMs = -Infinity;
  private lastAckMs = 0;
  private claimSent = false;
  private reconnecting = false;
  private hud: HudState;
  private outcome: SessionOutcome | null = null;

  constructor(options: GameSessionOptions) {
    this.options = options;
    this.link = options.link;
    this.hud = {
      phase: this.phaseValue,
      pauseCause: null,
      hp: options.maxHp,
      maxHp: options.maxHp,
      score: 0,
      distance: 0,
      progress: 0,
      tick: 0,
      checkpointsMatched: 0,
      diverged: false,
      reconnecting: false,
      ghosts: 0,
    };
  }

  /** The run, once the server started it. */
  get run(): Run | null {
    return this.runValue;
  }

  get phase(): SessionPhase {
    return this.phaseValue;
  }

  get ranked(): boolean {
    return this.link.ranked;
  }

  /** Connects and asks for a run. */
  async open(): Promise<void> {
    await this.link.open(this.linkEvents());
    if (this.phaseValue === SessionPhase.CONNECTING) this.setPhase(SessionPhase.WAITING);
  }

  /**
   * Advances the run to the frame drawn at `nowMs` (a monotonic clock): steps as many ticks
   * as have elapsed and sends what the server has not seen. Returns the ticks stepped.
   */
  frame(nowMs: number): number {
    this.events.length = 0;
    const run = this.runValue;
    let steps = 0;
    if (run && this.phaseValue === SessionPhase.RUNNING) {
      steps = this.clock.advance(nowMs);
      for (let i = 0; i < steps && !run.ended; i++) this.stepOnce(run);
      if (run.ended) this.finish(run, nowMs);
    }
    this.sendInputs(nowMs);
    this.publishHud();
    return steps;
  }

  /** Pauses the run. A paused run falls behind real time; the server tolerates a few seconds. */
  pause(cause: PauseCause): void {
    if (this.phaseValue !== SessionPhase.RUNNING) return;
    this.clock.pause();
    this.controls.releaseAll();
    this.pauseCause = cause;
    this.setPhase(SessionPhase.PAUSED);
  }

  resume(): void {
    if (this.phaseValue !== SessionPhase.PAUSED) return;
    this.pauseCause = null;
    this.clock.resume();
    this.setPhase(SessionPhase.RUNNING);
  }

  /** Where ghost `id` is drawn at `nowMs`; false when it has no position yet. */
  ghostPose(id: string, nowMs: number, out: GhostPose): boolean {
    const ghost = this.ghosts.get(id);
    return ghost ? ghost.track.pose(nowMs, out) : false;
  }

  /** Ids and names of the ghosts to draw. */
  ghostList(): { id: string; name: string; done: boolean }[] {
    return [...this.ghosts].map(([id, g]) => ({ id, name: g.name, done: g.done }));
  }

  /** Leaves the link. */
  async close(): Promise<void> {
    await this.link.close();
  }

  private stepOnce(run: Run): void {
    this.hooks.beforeTick?.(run);
    this.previousPosition.x = run.player.x;
    this.previousPosition.y = run.player.y;
    const bits = this.controls.sample();
    run.step(bits);
    this.log.record(run.tick, bits);
    for (let e = 0; e < run.events; e++) this.events.push({ ...run.eventAt(e) });

    const interval = this.start?.checkpointInterval ?? 0;
    if (interval > 0 && run.tick % interval === 0) {
      const hash = run.stateHash();
      this.book.record(run.tick, hash);
      this.link.sendCheckpoint(run.tick, hash);
    }
  }

  private finish(run: Run, nowMs: number): void {
    if (this.claimSent) return;
    this.claimSent = true;
    this.sendInputs(nowMs, true);
    const result = run.result();
    this.book.record(result.ticks, result.finalHash);
    this.link.sendClaim({ finalTick: result.ticks, score: result.score, hash: result.finalHash });
    this.setPhase(SessionPhase.CLAIMED);
    if (this.link.ranked) return;

    // Practice: nobody judges, the local result is the whole story.
    this.conclude({ verdict: null, failure: null });
    this.setPhase(SessionPhase.JUDGED);
  }

  // New ticks go out every INPUT_BATCH_INTERVAL_MS; a silence from the server repeats the backlog.
  private sendInputs(nowMs: number, force = false): void {
    if (this.log.unacknowledged === 0) return;
    const due = this.log.hasNew
      ? nowMs - this.lastSendMs >= INPUT_BATCH_INTERVAL_MS
      : nowMs - Math.max(this.lastSendMs, this.lastAckMs) >= RESEND_AFTER_MS;
    if (!force && !due) return;
    const batch = this.log.nextBatch();
    if (!batch) return;
    this.link.sendInputs(batch);
    this.lastSendMs = nowMs;
  }

  private linkEvents(): RunLinkEvents {
    return {
      start: (start) => this.onStart(start),
      acknowledged: (ack) => this.onAck(ack),
      checkpoint: (tick, hash) => {
        this.book.compare(tick, hash);
      },
      judged: (verdict) => this.onJudged(verdict),
      ghosts: (ghosts) => this.onGhosts(ghosts),
      // A refused message is logged by the server; the verdict says what it meant for the run.
      // Only a refused start ends the session here: no run, so no verdict will come.
      refused: (code, message) => {
        if (code === ProtocolErrorCode.COURSE_EXPIRED) this.onFailed(code, message);
      },
      dropped: () => {
        this.reconnecting = true;
        this.publishHud();
      },
      reconnected: () => {
        this.reconnecting = false;
        this.publishHud();
      },
      failed: (code, message) => this.onFailed(code, message),
    };
  }

  private onStart(start: RunStart): void {
    if (this.runValue) return;
    this.start = start;
    this.runValue = createRun({
      seed: start.seed,
      ruleset: start.ruleset,
      courseLength: start.courseLength,
    });
    this.previousPosition.x = this.runValue.player.x;
    this.previousPosition.y = this.runValue.player.y;
    this.options.onRunCreated?.(this.runValue, start);
    this.clock.resume();
    this.setPhase(SessionPhase.RUNNING);
  }

  private onAck(ack: InputAck): void {
    this.log.acknowledge(ack.tick);
    this.lastAckMs = performance.now();
  }

  private onGhosts(views: readonly GhostView[]): void {
    const now = performance.now();
    const seen = new Set<string>();
    for (const view of views) {
      if (view.userId === this.options.userId) continue;
      seen.add(view.userId);
      let ghost = this.ghosts.get(view.userId);
      if (!ghost) {
        ghost = { track: new GhostTrack(), name: view.username, done: false };
        this.ghosts.set(view.userId, ghost);
      }
      ghost.done = view.status === 'done';
      if (view.tick > 0) ghost.track.push(now, view.x, view.y);
    }
    for (const id of [...this.ghosts.keys()]) if (!seen.has(id)) this.ghosts.delete(id);
  }

  private onJudged(verdict: VerdictMessage): void {
    if (this.outcome) return;
    this.conclude({ verdict, failure: null });
    this.setPhase(SessionPhase.JUDGED);
  }

  private onFailed(code: string, message: string): void {
    if (this.outcome) return;
    this.clock.pause();
    this.conclude({ verdict: null, failure: { code, message } });
    this.setPhase(SessionPhase.FAILED);
  }

  private conclude(parts: Pick<SessionOutcome, 'verdict' | 'failure'>): void {
    const run = this.runValue;
    const local: RunResult = run
      ? run.result()
      : { ticks: 0, score: 0, distance: 0, kills: 0, coins: 0, outcome: 'running', finalHash: '' };
    this.outcome = {
      ranked: this.link.ranked,
      local,
      divergence: this.book.divergence,
      ...parts,
    };
    this.options.onOutcome?.(this.outcome);
  }

  private setPhase(phase: SessionPhase): void {
    this.phaseValue = phase;
    this.publishHud();
  }

  private publishHud(): void {
    const run = this.runValue;
    const hud = this.hud;
    const next = {
      phase: this.phaseValue,
      pauseCause: this.pauseCause,
      hp: run ? run.player.hp : hud.hp,
      score: run ? run.score : 0,
      distance: run ? run.distance : 0,
      progress: run ? Math.round(run.progress * 1000) / 1000 : 0,
      tick: run ? run.tick : 0,
      checkpointsMatched: this.book.matched,
      diverged: this.book.divergence !== null,
      reconnecting: this.reconnecting,
      ghosts: this.ghosts.size,
    };
    let changed = false;
    for (const key of Object.keys(next) as (keyof typeof next)[]) {
      if (next[key] !== hud[key] && key !== 'tick') changed = true;
    }
    if (!changed) return;
    this.hud = { ...hud, ...next };
    this.options.onHud?.(this.hud);
  }
}
