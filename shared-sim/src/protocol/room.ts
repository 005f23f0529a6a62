/**
 * The wire protocol of a run room, shared by the game server, the browser client and the bots.
 *
 * A run goes: join (access token, protocol and ruleset versions) → `ready` → the server sends
 * `start` and starts its clock → the client streams `inputs` batches and its own `checkpoint`
 * hashes while the server answers with `ack` and its `checkpoint` hashes → the client sends
 * `claim` → the server sends `verdict`. The server's result is the one that counts; the claim
 * is only checked against it. Messages travel as Colyseus room messages (msgpack).
 */

/** Version of this protocol. A join with another version is refused. */
export const ROOM_PROTOCOL_VERSION = 1;

/** Name the run room is registered under for matchmaking. */
export const RUN_ROOM_NAME = 'run';

/** Players sharing a course in one room; they see each other as ghosts. */
export const MAX_PLAYERS_PER_ROOM = 8;

/** The server sends its checkpoint hash after every tick that is a multiple of this. */
export const CHECKPOINT_INTERVAL_TICKS = 60;

/**
 * How often a client sends its new inputs while playing: every 6 ticks, at the rate the
 * server sends ghost patches. The client simulates locally, so a longer interval delays only
 * the server's judgement, never the game; a shorter one costs the server a read and a write
 * per batch. The browser client, the load-test bots and the benchmark all use it.
 */
export const INPUT_BATCH_INTERVAL_MS = 100;

/** Largest `inputs` batch, in ticks. A client with a longer backlog sends several batches. */
export const MAX_BATCH_TICKS = 600;

/**
 * How far past the highest contiguous received tick a batch may start. Batches inside this
 * window are kept until the gap before them fills; later ones are malformed.
 */
export const MAX_REORDER_TICKS = 1_200;

/** Messages a client may send per second before the excess is dropped as flooding. */
export const MAX_MESSAGES_PER_SECOND = 120;

/** Options of `joinOrCreate(RUN_ROOM_NAME, options)`. */
export interface JoinOptions {
  /** The access token from the auth service. */
  token: string;
  /** `ROOM_PROTOCOL_VERSION` of the client. */
  protocol: number;
  /** `RULESET_VERSION` the client simulates. A stale ruleset is refused here, never judged. */
  ruleset: number;
}

/** Message types the client sends. */
export const ClientMessage = {
  /** No payload: the client has loaded the course and starts as soon as `start` arrives. */
  READY: 'ready',
  /** `InputBatch`. */
  INPUTS: 'inputs',
  /** `Checkpoint`: the client's own hash, so the server can tell where a run diverged. */
  CHECKPOINT: 'checkpoint',
  /** `Claim`, sent once when the client's simulation ends. */
  CLAIM: 'claim',
} as const;

export type ClientMessage = (typeof ClientMessage)[keyof typeof ClientMessage];

/** Message types the server sends. */
export const ServerMessage = {
  /** `RunStart`: the run exists and the server's clock is running. */
  START: 'start',
  /** `InputAck`, after every `inputs` batch. */
  ACK: 'ack',
  /** `Checkpoint`: the server's hash after a processed tick. */
  CHECKPOINT: 'checkpoint',
  /** `Verdict`, once per run. */
  VERDICT: 'verdict',
  /** `ProtocolError`: a message was refused; the run may already be judged because of it. */
  ERROR: 'error',
} as const;

export type ServerMessage = (typeof ServerMessage)[keyof typeof ServerMessage];

/**
 * Inputs for ticks `firstTick … firstTick + inputs.length - 1`, one byte per tick with only the
 * defined `Input` bits. Ticks count from 1. A batch repeats every tick the server has not
 * acknowledged yet, so a lost or late batch costs nothing; ticks already received must repeat
 * the same bytes, or the run is rejected for contradicting itself.
 */
export interface InputBatch {
  firstTick: number;
  inputs: Uint8Array;
}

/** The server's answer to a batch. */
export interface InputAck {
  /** Highest tick such that every tick up to it has been received. Resend from `tick + 1`. */
  tick: number;
  /** Highest tick the server has simulated; behind `tick` while inputs are held. */
  processed: number;
}

/** A state hash after a tick, from `Run.stateHash()` (16 hex digits). */
export interface Checkpoint {
  tick: number;
  hash: string;
}

/** What the client says its run ended with. */
export interface Claim {
  /** The tick on which the client's simulation ended. */
  finalTick: number;
  score: number;
  /** State hash after `finalTick`. */
  hash: string;
}

/** Sent when the run starts; the client starts its own simulation and clock on receipt. */
export interface RunStart {
  protocol: number;
  runId: string;
  seasonId: string;
  seed: number;
  ruleset: number;
  /** Course length in pixels, passed to `createRun`. */
  courseLength: number;
  checkpointInterval: number;
  /** When the server sent this message, ISO 8601 UTC. */
  startedAt: string;
}

/** How a run was judged. */
export const Verdict = {
  /** The server's result is ranked and published. */
  VERIFIED: 'verified',
  /** The run broke a rule; it is recorded and never ranked. */
  REJECTED: 'rejected',
  /** Not an accusation: the run could not be judged fairly (slow network, server shutdown). */
  UNRANKED: 'unranked',
  /** The player left or stayed away past the reconnection grace period. */
  ABANDONED: 'abandoned',
} as const;

export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** Why a run got its verdict. Stable codes; the client shows a message per code. */
export const VerdictReason = {
  /** Verified: inputs, timing and claim all agree with the server. */
  OK: 'run/ok',
  /** Rejected: inputs kept arriving faster than real time (a sped-up clock). */
  TOO_FAST: 'run/too_fast',
  /** Rejected: a message that does not decode as its type (wrong fields, types or ticks). */
  MALFORMED: 'run/malformed',
  /** Rejected: a batch longer than `MAX_BATCH_TICKS` or starting past `MAX_REORDER_TICKS`. */
  OVERSIZED: 'run/oversized',
  /** Rejected: an input byte with bits outside `INPUT_MASK`. */
  UNDEFINED_BITS: 'run/undefined_bits',
  /** Rejected: a batch changed the input of a tick the server had already received. */
  CONTRADICTS_EARLIER: 'run/contradicts_earlier',
  /** Rejected: the client kept sending more than `MAX_MESSAGES_PER_SECOND`. */
  FLOODING: 'run/flooding',
  /** Rejected: inputs for ticks after the server's simulation had ended. */
  INPUTS_AFTER_END: 'run/inputs_after_end',
  /** Rejected: the claim's tick, score or hash differs from the server's result. */
  CLAIM_MISMATCH: 'run/claim_mismatch',
  /** Unranked: the run fell further behind real time than the allowance. */
  TOO_SLOW: 'run/too_slow',
  /** Unranked: the simulation ended but no claim came within the claim timeout. */
  NO_CLAIM: 'run/no_claim',
  /** Unranked: the server shut down before the run ended. */
  SERVER_SHUTDOWN: 'run/server_shutdown',
  /** Abandoned: the connection dropped and did not come back within the grace period. */
  DISCONNECTED: 'run/disconnected',
  /** Abandoned: the player left the room before the run ended. */
  LEFT: 'run/left',
} as const;

export type VerdictReason = (typeof VerdictReason)[keyof typeof VerdictReason];

/** The server's judgement of a run. All numbers are the server's own. */
export interface VerdictMessage {
  runId: string;
  verdict: Verdict;
  reason: VerdictReason;
  /** Ticks the server simulated. */
  ticks: number;
  score: number;
  distance: number;
  kills: number;
  coins: number;
  /** The simulation's outcome: running (the run was cut short), finished, fell, defeated... */
  outcome: string;
  finalHash: string;
}

/** Why a single message was refused (sent with `ServerMessage.ERROR`). */
export const ProtocolErrorCode = {
  /** The message does not decode; the run, if any, is rejected as malformed. */
  MALFORMED: 'protocol/malformed',
  /** A message type this protocol does not define. */
  UNKNOWN_MESSAGE: 'protocol/unknown_message',
  /** `ready` while a run is already going or judged; one run per seat. */
  ALREADY_STARTED: 'protocol/already_started',
  /** `inputs`, `checkpoint` or `claim` with no run started. */
  NOT_STARTED: 'protocol/not_started',
  /** The message came after the run was judged and was ignored. */
  RUN_OVER: 'protocol/run_over',
  /** Over the message rate; the message was dropped. */
  RATE_LIMITED: 'protocol/rate_limited',
  /**
   * `ready` after the room's course stopped being the season's (a season or seed reset): no
   * run starts; the client joins a new room, which has the current course.
   */
  COURSE_EXPIRED: 'protocol/course_expired',
} as const;

export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

export interface ProtocolError {
  code: ProtocolErrorCode;
  message: string;
}

/**
 * Why a join was refused. Colyseus rejects the join with this number as the error code, and
 * the message starts with the matching `JoinErrorName`.
 */
export const JoinError = {
  /** Missing, invalid or expired access token. */
  UNAUTHORIZED: 4401,
  /** The client's `ROOM_PROTOCOL_VERSION` is not this server's. */
  UNSUPPORTED_PROTOCOL: 4426,
  /** The client's ruleset is not the one this server judges; the client must update. */
  STALE_RULESET: 4409,
  /** The same user already has a seat in this room. */
  ALREADY_JOINED: 4429,
} as const;

export type JoinError = (typeof JoinError)[keyof typeof JoinError];

export const JoinErrorName: Readonly<Record<JoinError, string>> = {
  [JoinError.UNAUTHORIZED]: 'join/unauthorized',
  [JoinError.UNSUPPORTED_PROTOCOL]: 'join/unsupported_protocol',
  [JoinError.STALE_RULESET]: 'join/stale_ruleset',
  [JoinError.ALREADY_JOINED]: 'join/already_joined',
};

/**
 * WebSocket close codes the server uses on top of Colyseus's own (4000 consented, 4001 server
 * shutdown, 4002 error, 4010 may try to reconnect).
 */
export const RoomCloseCode = {
  /** Too many refused messages: the client is disconnected and must not reconnect. */
  PROTOCOL_VIOLATION: 4100,
  /** The client kept flooding after its messages were being dropped. */
  FLOODING: 4101,
  /** The server is shutting down; runs not finished in time end as unranked. */
  SERVER_SHUTDOWN: 4001,
} as const;

export type RoomCloseCode = (typeof RoomCloseCode)[keyof typeof RoomCloseCode];

/** A ghost: another player's position on the shared course, from the server's simulation. */
export interface GhostView {
  userId: string;
  username: string;
  tick: number;
  x: number;
  y: number;
  hp: number;
  facing: number;
  /** `GhostStatus`. */
  status: string;
}

/** Where a seat is in its run, as the room state shows it. */
export const GhostStatus = {
  WAITING: 'waiting',
  RUNNING: 'running',
  /** The connection dropped; the seat waits for a reconnection. */
  AWAY: 'away',
  /** The run is judged; see the verdict. */
  DONE: 'done',
} as const;

export type GhostStatus = (typeof GhostStatus)[keyof typeof GhostStatus];
