import { Client } from '@colyseus/sdk';
import type { Room } from '@colyseus/sdk';
import { BotPolicy, RULESET_VERSION, TICK_RATE, createRun } from '@truerun/shared-sim';
import type { Run } from '@truerun/shared-sim';
import {
  CHECKPOINT_INTERVAL_TICKS,
  ClientMessage,
  MAX_BATCH_TICKS,
  ROOM_PROTOCOL_VERSION,
  RUN_ROOM_NAME,
  ServerMessage,
} from '@truerun/shared-sim/protocol';
import type {
  Claim,
  InputAck,
  ProtocolError,
  RunStart,
  VerdictMessage,
} from '@truerun/shared-sim/protocol';

/** A bot's run played offline: its inputs, its checkpoint hashes and its claim. */
export interface RecordedRun {
  inputs: Uint8Array;
  /** Hash after tick (i + 1) * CHECKPOINT_INTERVAL_TICKS at index i. */
  checkpoints: string[];
  claim: Claim;
}

/**
 * Plays a run with `BotPolicy`. `modify` may change the client's simulation before it starts
 * (a cheating client); the recorded hashes and claim then come from the modified simulation.
 */
export function recordBotRun(
  seed: number,
  courseLength: number,
  modify?: (run: Run) => void,
  policy: (run: Run) => number = botDecider(),
): RecordedRun {
  const run = createRun({ seed, ruleset: RULESET_VERSION, courseLength });
  modify?.(run);
  const inputs: number[] = [];
  const checkpoints: string[] = [];
  while (!run.ended) {
    const bits = policy(run);
    inputs.push(bits);
    run.step(bits);
    if (run.tick % CHECKPOINT_INTERVAL_TICKS === 0) checkpoints.push(run.stateHash());
  }
  const result = run.result();
  return {
    inputs: Uint8Array.from(inputs),
    checkpoints,
    claim: { finalTick: result.ticks, score: result.score, hash: result.finalHash },
  };
}

export function botDecider(): (run: Run) => number {
  const bot = new BotPolicy();
  return (run) => bot.decide(run);
}

/** How a client streams its recorded run; everything defaults to an honest, good network. */
export interface StreamOptions {
  /** The client's clock rate against real time; above 1 is a sped-up clock. */
  clockRate?: number;
  /** How often a batch goes out, in ms. Default 50. */
  sendIntervalMs?: number;
  /** Each send is delayed by a uniform random 0…jitterMs, which also reorders batches. */
  jitterMs?: number;
  /** Nothing is sent from `atMs` (after start) for `forMs`; the backlog then goes at once. */
  stall?: { atMs: number; forMs: number };
  /** Ticks per batch; a send covering more ticks goes as several consecutive batches. */
  batchTicks?: number;
  /** Sends the batches of each send in reverse order, so later ticks arrive first. */
  reverseBatches?: boolean;
  /** Sends every batch twice. */
  duplicateBatches?: boolean;
  /** Changes a batch just before it is sent (cheats on the inputs). */
  mutate?: (firstTick: number, inputs: Uint8Array) => Uint8Array;
  /** Extra ticks of input sent after the run's end (inputs after death). */
  ticksAfterEnd?: number;
  /** The claim actually sent. Default: the recorded one. */
  claim?: Claim | null;
  /** Whether to send the client's own checkpoints. Default true. */
  sendCheckpoints?: boolean;
  /** Leave the room this long after start, consented. */
  leaveAtMs?: number;
  /** Stop sending anything this long after start, staying connected. */
  silentAfterMs?: number;
  /** Things the client does at given times after start, such as sending forged messages. */
  actions?: { atMs: number; run: (room: Room) => void }[];
  /** Turns the SDK's automatic reconnection off. */
  noReconnect?: boolean;
  /** Give up waiting for a verdict after this long. Default 60 s. */
  timeoutMs?: number;
}

/** What a streamed run ended with, as the client saw it. */
export interface StreamOutcome {
  start: RunStart;
  verdict: VerdictMessage | null;
  errors: ProtocolError[];
  serverCheckpoints: Map<number, string>;
  lastAck: InputAck;
  closeCode: number | null;
  reconnected: boolean;
}

/** Joins a run room with `options` and returns the room, or the join error. */
export async function joinRun(
  url: string,
  options: { token: string; protocol?: number; ruleset?: number },
): Promise<Room> {
  const client = new Client(url);
  return client.joinOrCreate(RUN_ROOM_NAME, {
    token: options.token,
    protocol: options.protocol ?? ROOM_PROTOCOL_VERSION,
    ruleset: options.ruleset ?? RULESET_VERSION,
  });
}

/**
 * Joins, sends `ready`, streams the recorded inputs on the client's clock with the given
 * network behaviour, claims, and resolves with the verdict (or on close or timeout).
 */
export async function streamRun(
  url: string,
  token: string,
  recorded: RecordedRun,
  options: StreamOptions = {},
): Promise<StreamOutcome> {
  const room = await joinRun(url, { token });
  room.reconnection.minUptime = 0;
  if (options.noReconnect) room.reconnection.enabled = false;
  const errors: ProtocolError[] = [];
  const serverCheckpoints = new Map<number, string>();
  const sendIntervalMs = options.sendIntervalMs ?? 50;
  const clockRate = options.clockRate ?? 1;
  const inputs = extendInputs(recorded.inputs, options.ticksAfterEnd ?? 0);
  const claim = options.claim === undefined ? recorded.claim : options.claim;

  let lastAck: InputAck = { tick: 0, processed: 0 };
  let reconnected = false;
  room.onMessage(ServerMessage.ACK, (ack: InputAck) => {
    if (ack.tick > lastAck.tick) lastAck = ack;
  });
  room.onMessage(ServerMessage.CHECKPOINT, (c: { tick: number; hash: string }) => {
    serverCheckpoints.set(c.tick, c.hash);
  });
  room.onMessage(ServerMessage.ERROR, (error: ProtocolError) => errors.push(error));
  room.onReconnect(() => {
    reconnected = true;
  });

  const start = await new Promise<RunStart>((resolve) => {
    room.onMessage(ServerMessage.START, resolve);
    room.send(ClientMessage.READY);
  });
  const t0 = performance.now();

  return new Promise<StreamOutcome>((resolve) => {
    let verdict: VerdictMessage | null = null;
    let closeCode: number | null = null;
    let checkpointsSent = 0;
    let claimed = false;
    let left = false;
    const actions = [...(options.actions ?? [])].sort((a, b) => a.atMs - b.atMs);

    const finish = () => {
      clearInterval(timer);
      clearTimeout(deadline);
      resolve({ start, verdict, errors, serverCheckpoints, lastAck, closeCode, reconnected });
    };
    room.onMessage(ServerMessage.VERDICT, (message: VerdictMessage) => {
      verdict = message;
      void room.leave(true).catch(() => {});
      finish();
    });
    room.onLeave((code: number) => {
      closeCode = code;
      finish();
    });
    const deadline = setTimeout(finish, options.timeoutMs ?? 60_000);

    const send = (type: string, payload: unknown) => {
      const jitter = options.jitterMs ?? 0;
      if (jitter === 0) room.send(type, payload);
      else setTimeout(() => room.send(type, payload), Math.random() * jitter);
    };

    const timer = setInterval(() => {
      const elapsed = performance.now() - t0;
      while (actions.length > 0 && actions[0]!.atMs <= elapsed) actions.shift()!.run(room);
      if (options.leaveAtMs !== undefined && elapsed >= options.leaveAtMs) {
        if (!left) void room.leave(true).catch(() => {});
        left = true;
        return;
      }
      if (options.silentAfterMs !== undefined && elapsed >= options.silentAfterMs) return;
      const stall = options.stall;
      if (stall && elapsed >= stall.atMs && elapsed < stall.atMs + stall.forMs) return;

      // The client's own tick: how far its clock says the run has gone.
      const target = Math.min(inputs.length, Math.floor((elapsed * clockRate * TICK_RATE) / 1000));
      const batchTicks = options.batchTicks ?? MAX_BATCH_TICKS;
      const batches: { firstTick: number; inputs: Uint8Array }[] = [];
      for (let from = lastAck.tick + 1; from <= target; from += batchTicks) {
        const to = Math.min(target, from + batchTicks - 1);
        let batch: Uint8Array = inputs.slice(from - 1, to);
        if (options.mutate) batch = options.mutate(from, batch);
        batches.push({ firstTick: from, inputs: batch });
      }
      if (options.reverseBatches) batches.reverse();
      for (const batch of batches) {
        send(ClientMessage.INPUTS, batch);
        if (options.duplicateBatches) send(ClientMessage.INPUTS, batch);
      }
      if (options.sendCheckpoints !== false) {
        while (
          checkpointsSent < recorded.checkpoints.length &&
          (checkpointsSent + 1) * CHECKPOINT_INTERVAL_TICKS <= target
        ) {
          const tick = (checkpointsSent + 1) * CHECKPOINT_INTERVAL_TICKS;
          send(ClientMessage.CHECKPOINT, { tick, hash: recorded.checkpoints[checkpointsSent] });
          checkpointsSent++;
        }
      }
      if (!claimed && claim !== null && target >= inputs.length) {
        claimed = true;
        send(ClientMessage.CLAIM, claim);
      }
    }, sendIntervalMs);
  });
}

function extendInputs(inputs: Uint8Array, extra: number): Uint8Array {
  if (extra === 0) return inputs;
  const longer = new Uint8Array(inputs.length + extra);
  longer.set(inputs);
  longer.fill(2, inputs.length);
  return longer;
}
