import type { Room } from '@colyseus/sdk';
import {
  BotPolicy,
  INPUT_MASK,
  Input,
  MAX_RUN_TICKS,
  RULESET_VERSION,
  TICK_RATE,
  createRun,
} from '@truerun/shared-sim';
import type { Run } from '@truerun/shared-sim';
import {
  CHECKPOINT_INTERVAL_TICKS,
  ClientMessage,
  INPUT_BATCH_INTERVAL_MS,
  MAX_BATCH_TICKS,
  ProtocolErrorCode,
  ServerMessage,
} from '@truerun/shared-sim/protocol';
import type {
  InputAck,
  ProtocolError,
  RunStart,
  VerdictMessage,
} from '@truerun/shared-sim/protocol';
import type { RunAction, RunActionContext, RunTactics } from './tactics.ts';

/** How often a claim without a verdict is sent again, in ms. */
const CLAIM_RESEND_MS = 2_000;

/** Colyseus's close code for a connection that may come back to its seat. */
const MAY_TRY_RECONNECT = 4010;

export interface PlayOptions {
  tactics: RunTactics;
  /**
   * Ticks the bot steers with the shared-sim policy; after that it only holds right, as a
   * player who stopped playing, and the run soon ends by a fall. Infinity plays the course.
   */
  playTicks: number;
  /** Longest wait for `start` after `ready`, in ms. */
  startTimeoutMs: number;
  /** Longest wait for the verdict after the start, in ms. */
  verdictTimeoutMs: number;
  /** Receives the round trip of every batch, from leaving the bot to its acknowledgement. */
  onAckLatency?: (ms: number) => void;
}

/** How a run went, as the bot saw it. */
export interface PlayResult {
  start: RunStart;
  verdict: VerdictMessage | null;
  /** The close code when the server ended the connection before a verdict came. */
  closeCode: number | null;
  /** Protocol error codes the server answered, in order. */
  errors: ProtocolErrorCode[];
  reconnected: boolean;
  /** `performance.now()` when `start` arrived and when the claim left; null if never sent. */
  startedAt: number;
  claimedAt: number | null;
  /** Ticks the bot's own simulation ran. */
  localTicks: number;
  /** Server checkpoints whose hash differs from the bot's own at the same tick. */
  divergentCheckpoints: number;
  /** Set when the bot itself failed mid-run. */
  failure: string | null;
}

/** Sends `ready` and resolves with `start`, or rejects after `timeoutMs`. */
export function requestStart(room: Room, timeoutMs: number): Promise<RunStart> {
  return new Promise<RunStart>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error('no start from the server'));
    }, timeoutMs);
    const unsubscribe = room.onMessage(ServerMessage.START, (start: RunStart) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(start);
    });
    room.send(ClientMessage.READY);
  });
}

/**
 * Plays one run in a joined room: starts it, simulates it locally at the bot's clock rate,
 * streams inputs and checkpoints every `INPUT_BATCH_INTERVAL_MS` as the browser does, through
 * the bot's network profile, claims the local result and waits for the verdict.
 */
export async function playRun(room: Room, options: PlayOptions): Promise<PlayResult> {
  const start = await requestStart(room, options.startTimeoutMs);
  return new RunPlayer(room, start, options).finished;
}

class RunPlayer {
  readonly finished: Promise<PlayResult>;

  private readonly room: Room;
  private readonly start: RunStart;
  private readonly options: PlayOptions;
  private readonly tactics: RunTactics;
  private readonly run: Run;
  private readonly policy = new BotPolicy();
  private readonly startedAt = performance.now();

  /** Input of tick t at index t - 1, for every tick produced so far. */
  private readonly inputs: Uint8Array;
  private produced = 0;
  private readonly checkpoints: string[] = [];
  private checkpointsSent = 0;
  /** Highest tick sent (reordering network only; the others resend from the ack). */
  private sentTo = 0;
  private held: { firstTick: number; inputs: Uint8Array } | null = null;
  private batches = 0;
  private readonly inFlight: { lastTick: number; sentAt: number }[] = [];

  private ack: InputAck = { tick: 0, processed: 0 };
  private readonly pendingActions: RunAction[];
  private readonly errors: ProtocolErrorCode[] = [];
  private readonly serverCheckpoints: { tick: number; hash: string }[] = [];
  private failure: string | null = null;
  private claimedAt: number | null = null;
  private claimSentAt = 0;
  private silenced = false;
  private dropped = false;
  private reconnected = false;
  private resolve!: (result: PlayResult) => void;
  private timer: NodeJS.Timeout | null = null;
  private deadline: NodeJS.Timeout | null = null;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(room: Room, start: RunStart, options: PlayOptions) {
    this.room = room;
    this.start = start;
    this.options = options;
    this.tactics = options.tactics;
    this.run = createRun({
      seed: start.seed,
      ruleset: RULESET_VERSION,
      courseLength: start.courseLength,
    });
    this.inputs = new Uint8Array(MAX_RUN_TICKS + this.tactics.ticksAfterEnd);
    this.pendingActions = [...this.tactics.actions].sort((a, b) => a.atMs - b.atMs);
    this.finished = new Promise<PlayResult>((resolve) => {
      this.resolve = resolve;
    });

    this.unsubscribe.push(
      room.onMessage(ServerMessage.ACK, (ack: InputAck) => this.onAck(ack)),
      room.onMessage(ServerMessage.ERROR, (error: ProtocolError) => this.onError(error)),
      room.onMessage(ServerMessage.CHECKPOINT, (checkpoint: { tick: number; hash: string }) => {
        this.serverCheckpoints.push(checkpoint);
      }),
      room.onMessage(ServerMessage.VERDICT, (verdict: VerdictMessage) => this.end(verdict, null)),
    );
    room.onLeave.once((code: number) => this.end(null, code));
    room.onReconnect.once(() => {
      this.reconnected = true;
    });
    this.timer = setInterval(() => {
      try {
        this.onInterval();
      } catch (err) {
        this.failure = err instanceof Error ? err.message : String(err);
        this.end(null, null);
      }
    }, INPUT_BATCH_INTERVAL_MS);
    this.deadline = setTimeout(() => this.end(null, null), options.verdictTimeoutMs);
  }

  private onAck(ack: InputAck): void {
    if (ack.tick <= this.ack.tick) return;
    this.ack = { tick: ack.tick, processed: ack.processed };
    const now = performance.now();
    while (this.inFlight.length > 0 && this.inFlight[0]!.lastTick <= ack.tick) {
      const batch = this.inFlight.shift()!;
      this.options.onAckLatency?.(now - batch.sentAt);
    }
  }

  private onError(error: ProtocolError): void {
    this.errors.push(error.code);
    // The run is judged; the verdict is on its way and anything more would be refused.
    if (error.code === ProtocolErrorCode.RUN_OVER) this.silenced = true;
  }

  private onInterval(): void {
    const elapsed = performance.now() - this.startedAt;
    this.simulateTo(this.clockTick(elapsed));
    if (this.silenced) return;
    if (this.claimedAt !== null) {
      this.afterClaim();
      return;
    }

    const network = this.tactics.network;
    if (network.dropAtMs !== null && !this.dropped && elapsed >= network.dropAtMs) {
      this.dropped = true;
      dropSocket(this.room);
    }
    const stall = network.stall;
    if (stall && elapsed >= stall.atMs && elapsed < stall.atMs + stall.forMs) return;

    this.runActions(elapsed);
    this.sendInputs();
    this.sendCheckpoints();
    if (this.localEnd() !== null && this.produced === this.localEnd() && this.held === null) {
      this.sendClaim();
    }
  }

  /**
   * Until the verdict comes, unacknowledged ticks keep going out, and the claim again every
   * `CLAIM_RESEND_MS`: a batch or claim lost with a dropped connection would otherwise leave
   * the server waiting. The server counts only the first claim.
   */
  private afterClaim(): void {
    if (this.ack.tick < this.produced && !this.tactics.network.reorder) this.sendInputs();
    if (performance.now() - this.claimSentAt >= CLAIM_RESEND_MS) this.sendClaim();
  }

  /** The tick the bot's clock says the run has reached. */
  private clockTick(elapsedMs: number): number {
    return Math.floor((elapsedMs * this.tactics.clockRate * TICK_RATE) / 1000);
  }

  /** The last tick the bot produces input for, once its own run has ended. */
  private localEnd(): number | null {
    return this.run.ended ? this.run.tick + this.tactics.ticksAfterEnd : null;
  }

  private simulateTo(target: number): void {
    const run = this.run;
    while (this.produced < target && !run.ended) {
      const steering = run.tick < this.options.playTicks;
      const chosen = steering ? this.policy.decide(run) : Input.RIGHT;
      const tick = run.tick + 1;
      const bits = this.tactics.input ? this.tactics.input(tick, chosen) : chosen;
      this.tactics.beforeStep?.(run);
      // The bot's own simulation only knows the defined bits, whatever it sends.
      run.step(bits & INPUT_MASK);
      this.inputs[tick - 1] = bits;
      this.produced = tick;
      if (tick % CHECKPOINT_INTERVAL_TICKS === 0) this.checkpoints.push(run.stateHash());
    }
    const end = this.localEnd();
    if (end !== null && this.produced < end) {
      const last = Math.min(end, target);
      this.inputs.fill(Input.RIGHT, this.produced, last);
      this.produced = Math.max(this.produced, last);
    }
  }

  private runActions(elapsed: number): void {
    const context: RunActionContext = {
      ackTick: this.ack.tick,
      inputs: this.inputs.subarray(0, this.produced),
      firstCheckpointHash: this.checkpoints[0] ?? null,
      send: (type, payload) => this.transmit(type, payload),
    };
    while (this.pendingActions.length > 0 && this.pendingActions[0]!.atMs <= elapsed) {
      const action = this.pendingActions[0]!;
      if (action.ready && !action.ready(context)) return;
      this.pendingActions.shift();
      action.run(context);
    }
  }

  /**
   * A batch repeats every tick not acknowledged yet, so a late or lost batch costs nothing.
   * On a reordering network batches carry only new ticks, to make the order matter.
   */
  private sendInputs(): void {
    const reorder = this.tactics.network.reorder;
    let from = reorder ? this.sentTo + 1 : this.ack.tick + 1;
    for (; from <= this.produced; from += MAX_BATCH_TICKS) {
      const to = Math.min(this.produced, from + MAX_BATCH_TICKS - 1);
      const batch = { firstTick: from, inputs: this.inputs.slice(from - 1, to) };
      this.sentTo = Math.max(this.sentTo, to);
      if (!reorder) {
        this.sendBatch(batch);
      } else if (this.held === null && ++this.batches % 2 === 0) {
        this.held = batch;
      } else {
        this.sendBatch(batch);
        if (this.held) this.sendBatch(this.held);
        this.held = null;
      }
    }
    if (reorder && this.held && this.localEnd() !== null && this.produced === this.localEnd()) {
      this.sendBatch(this.held);
      this.held = null;
    }
  }

  private sendBatch(batch: { firstTick: number; inputs: Uint8Array }): void {
    const lastTick = batch.firstTick + batch.inputs.length - 1;
    this.transmit(ClientMessage.INPUTS, batch, (sentAt) => {
      if (this.options.onAckLatency) this.inFlight.push({ lastTick, sentAt });
    });
  }

  private sendCheckpoints(): void {
    while (
      this.checkpointsSent < this.checkpoints.length &&
      (this.checkpointsSent + 1) * CHECKPOINT_INTERVAL_TICKS <= this.produced
    ) {
      const tick = (this.checkpointsSent + 1) * CHECKPOINT_INTERVAL_TICKS;
      this.transmit(ClientMessage.CHECKPOINT, {
        tick,
        hash: this.checkpoints[this.checkpointsSent],
      });
      this.checkpointsSent++;
    }
  }

  private sendClaim(): void {
    const own = this.run.result();
    const claim = this.tactics.claim({
      finalTick: own.ticks,
      score: own.score,
      hash: own.finalHash,
    });
    this.claimSentAt = performance.now();
    this.claimedAt ??= this.claimSentAt;
    this.transmit(ClientMessage.CLAIM, claim);
  }

  /** Sends through the bot's network: after a random delay when the network jitters. */
  private transmit(type: string, payload: unknown, sent?: (sentAt: number) => void): void {
    const jitterMs = this.tactics.network.jitterMs;
    const go = () => {
      // The SDK buffers what is sent while it reconnects; after the end nothing leaves.
      if (this.timer === null) return;
      this.room.send(type, payload);
      sent?.(performance.now());
    };
    if (jitterMs === 0) go();
    else setTimeout(go, Math.random() * jitterMs);
  }

  private end(verdict: VerdictMessage | null, closeCode: number | null): void {
    if (this.timer === null) return;
    clearInterval(this.timer);
    clearTimeout(this.deadline!);
    this.timer = null;
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.resolve({
      start: this.start,
      verdict,
      closeCode,
      errors: this.errors,
      reconnected: this.reconnected,
      startedAt: this.startedAt,
      claimedAt: this.claimedAt,
      localTicks: this.run.tick,
      divergentCheckpoints: this.countDivergent(),
      failure: this.failure,
    });
  }

  private countDivergent(): number {
    let divergent = 0;
    for (const { tick, hash } of this.serverCheckpoints) {
      const own = this.checkpoints[tick / CHECKPOINT_INTERVAL_TICKS - 1];
      if (own !== undefined && own !== hash) divergent++;
    }
    return divergent;
  }
}

/**
 * Drops the connection the way a lost network ends it for the SDK: Node's WebSocket cannot
 * cut its TCP stream, so the socket closes with 4010 (may reconnect), which both ends treat
 * as a drop, not a leave. The SDK then reconnects to the same seat.
 */
function dropSocket(room: Room): void {
  const transport = room.connection.transport as unknown as { ws?: WebSocket };
  transport.ws?.close(MAY_TRY_RECONNECT, 'network lost');
}
