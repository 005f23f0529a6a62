import { randomUUID } from 'node:crypto';
import { CloseCode, Room, ServerError } from '@colyseus/core';
import type { AuthContext, Client } from '@colyseus/core';
import { schema, t } from '@colyseus/schema';
import type { SchemaType } from '@colyseus/schema';
import { RULESET_VERSION } from '@truerun/shared-sim';
import {
  CHECKPOINT_INTERVAL_TICKS,
  ClientMessage,
  GhostStatus,
  JoinError,
  JoinErrorName,
  MAX_MESSAGES_PER_SECOND,
  MAX_PLAYERS_PER_ROOM,
  ProtocolErrorCode,
  ROOM_PROTOCOL_VERSION,
  RoomCloseCode,
  ServerMessage,
  Verdict,
  VerdictReason,
} from '@truerun/shared-sim/protocol';
import type {
  InputAck,
  JoinError as JoinErrorCode,
  ProtocolError,
  RunStart,
  VerdictMessage,
} from '@truerun/shared-sim/protocol';
import type { Logger } from '@truerun/services/lib/logger';
import type { TokenSubject, TokenVerifier } from '@truerun/services/token-verifier';
import { NO_METRICS } from './metrics.ts';
import type { RunMetrics } from './metrics.ts';
import type { SessionLiveness } from './session-liveness.ts';
import type { RunClock } from './clock.ts';
import { RunSession } from './run-session.ts';
import type { Judgement, RunLimits } from './run-session.ts';
import type { RunStore } from './run-store.ts';
import type { CourseSeason, SeasonSource } from './season-source.ts';

/** A player's ghost as the room state carries it. */
export const Ghost = schema(
  {
    userId: t.string().default(''),
    username: t.string().default(''),
    tick: t.uint32().default(0),
    x: t.float32().default(0),
    y: t.float32().default(0),
    hp: t.uint8().default(0),
    facing: t.int8().default(1),
    status: t.string().default(GhostStatus.WAITING),
  },
  'Ghost',
);
export type Ghost = SchemaType<typeof Ghost>;

export const RunRoomState = schema({ players: t.map(Ghost) }, 'RunRoomState');
export type RunRoomState = SchemaType<typeof RunRoomState>;

/** Everything a run room needs from outside, given once by the wiring. */
export interface RunRoomDeps {
  verifier: TokenVerifier;
  /** Whether a token's session is still live; checked at every join. */
  sessions: SessionLiveness;
  seasons: SeasonSource;
  store: RunStore;
  clock: RunClock;
  limits: RunLimits;
  /** Course length of every run; only tests shorten it. */
  courseLength: number;
  /** How long a dropped seat is kept for its player to come back, in seconds. */
  reconnectGraceSec: number;
  /** How often held inputs are simulated and the time rules applied, in ms. Default 100. */
  pollIntervalMs?: number;
  /** On shutdown, how long running runs may go on before they end unranked, in ms. */
  shutdownGraceMs: number;
  log: Logger;
  /** Where runs and verdicts are counted; nothing is counted without it. */
  metrics?: RunMetrics;
}

/** How often ghost positions go out, in ms. */
const GHOST_PATCH_INTERVAL_MS = 100;
/** Refused messages after which a client is disconnected. */
const MAX_REFUSED_MESSAGES = 20;
/** Messages dropped for the rate after which the run is rejected as flooding. */
const MAX_DROPPED_MESSAGES = MAX_MESSAGES_PER_SECOND;
/** Longest wait between attempts to record a run while the database is unreachable, in ms. */
const RECORD_RETRY_MAX_MS = 5_000;
/** Failed attempts after which each further one is logged as an error. */
const RECORD_ATTEMPTS_BEFORE_ERROR = 4;

/** A player's place in the room, across reconnections. */
interface Seat {
  client: Client;
  user: TokenSubject;
  ghost: Ghost;
  session: RunSession | null;
  log: Logger;
  connected: boolean;
  /** Set when the server closes the connection itself; such a seat is not kept. */
  kicked: boolean;
  refused: number;
  dropped: number;
  tokens: number;
  refilledAt: number;
  ack: InputAck;
  /** The run's start message, sent again to a player who reconnects during the run. */
  start: RunStart | null;
  /** The verdict once the run is recorded; kept to deliver it to a player who was away. */
  verdict: VerdictMessage | null;
  verdictSent: boolean;
}

/**
 * Builds the run room class around its dependencies. Security-relevant settings come only
 * from here, never from the options a client passes when it joins or creates a room.
 */
export function createRunRoom(deps: RunRoomDeps) {
  const pollIntervalMs = deps.pollIntervalMs ?? 100;
  const metrics = deps.metrics ?? NO_METRICS;

  return class RunRoom extends Room<{ state: RunRoomState }> {
    override maxClients = MAX_PLAYERS_PER_ROOM;
    override maxMessagesPerSecond = MAX_MESSAGES_PER_SECOND * 8;
    // Ghosts at 10 Hz: clients interpolate them, and every patch is a write per client.
    override patchRate = GHOST_PATCH_INTERVAL_MS;
    override state = new RunRoomState();

    private course!: CourseSeason;
    private readonly seats = new Map<string, Seat>();
    private readonly recording = new Set<Promise<void>>();
    private shuttingDown = false;
    private log!: Logger;

    override async onCreate(): Promise<void> {
      this.course = await deps.seasons.current();
      this.log = deps.log.child({ roomId: this.roomId, seasonId: this.course.seasonId });
      this.setMetadata({ seasonId: this.course.seasonId, seed: this.course.seed });
      this.lockAtSeasonReset();

      this.onMessage(ClientMessage.READY, (client) => this.onReady(client));
      this.onMessage(ClientMessage.INPUTS, (client, payload) => this.onInputs(client, payload));
      this.onMessage(ClientMessage.CHECKPOINT, (client, payload) =>
        this.onSessionMessage(client, payload, (session, p) => session.receiveCheckpoint(p)),
      );
      this.onMessage(ClientMessage.CLAIM, (client, payload) =>
        this.onSessionMessage(client, payload, (session, p) => session.receiveClaim(p)),
      );
      this.onMessage('*', (client, type) => {
        this.refuse(client, ProtocolErrorCode.UNKNOWN_MESSAGE, `unknown message ${String(type)}`);
      });
      this.clock.setInterval(() => this.pollSessions(), pollIntervalMs);
      this.log.info({ seed: this.course.seed }, 'room created');
    }

    override async onAuth(_client: Client, options: unknown, _context: AuthContext) {
      try {
        return await this.admitUser(options);
      } catch (err) {
        const code = err instanceof ServerError ? err.code : JoinError.UNAUTHORIZED;
        this.log.info({ code, message: (err as Error).message }, 'join refused');
        throw err;
      }
    }

    /** The join checks, in order; each refusal names its `JoinError`. */
    private async admitUser(options: unknown): Promise<TokenSubject> {
      const { token, protocol, ruleset } = (options ?? {}) as Record<string, unknown>;
      if (protocol !== ROOM_PROTOCOL_VERSION) {
        throw joinError(JoinError.UNSUPPORTED_PROTOCOL, `server speaks ${ROOM_PROTOCOL_VERSION}`);
      }
      if (ruleset !== RULESET_VERSION) {
        throw joinError(JoinError.STALE_RULESET, `server judges ruleset ${RULESET_VERSION}`);
      }
      let user: TokenSubject;
      try {
        user = await deps.verifier.verify(typeof token === 'string' ? token : undefined);
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'auth/token_invalid';
        throw joinError(JoinError.UNAUTHORIZED, code);
      }
      const live = await deps.sessions.isActive(user.sessionId).catch((err: unknown) => {
        this.log.warn({ err: (err as Error).message }, 'session check failed');
        throw joinError(JoinError.UNAUTHORIZED, 'auth/session_check_unavailable');
      });
      if (!live) throw joinError(JoinError.UNAUTHORIZED, 'auth/session_revoked');
      for (const seat of this.seats.values()) {
        if (seat.user.userId === user.userId) {
          throw joinError(JoinError.ALREADY_JOINED, 'this user already has a seat here');
        }
      }
      return user;
    }

    override onJoin(client: Client): void {
      const user = client.auth as TokenSubject;
      const ghost = new Ghost();
      ghost.userId = user.userId;
      ghost.username = user.username;
      this.state.players.set(client.sessionId, ghost);
      this.seats.set(client.sessionId, {
        client,
        user,
        ghost,
        session: null,
        log: this.log.child({ userId: user.userId, sessionId: client.sessionId }),
        connected: true,
        kicked: false,
        refused: 0,
        dropped: 0,
        tokens: MAX_MESSAGES_PER_SECOND,
        refilledAt: performance.now(),
        ack: { tick: 0, processed: 0 },
        start: null,
        verdict: null,
        verdictSent: false,
      });
      this.log.info({ userId: user.userId }, 'player joined');
    }

    override async onDrop(client: Client, code?: number): Promise<void> {
      const seat = this.seats.get(client.sessionId);
      if (!seat || seat.kicked || this.shuttingDown) return;
      seat.connected = false;
      if (seat.session && !seat.session.judged) seat.ghost.status = GhostStatus.AWAY;
      seat.log.info({ code, graceSec: deps.reconnectGraceSec }, 'player dropped');
      try {
        await this.allowReconnection(client, deps.reconnectGraceSec);
      } catch {
        // The grace period ran out; onLeave ends the run.
      }
    }

    override onReconnect(client: Client): void {
      const seat = this.seats.get(client.sessionId);
      if (!seat) return;
      seat.client = client;
      seat.connected = true;
      if (seat.session && !seat.session.judged) seat.ghost.status = GhostStatus.RUNNING;
      seat.log.info({ tick: seat.session?.receivedTick ?? 0 }, 'player reconnected');
      // What was written to the dropped connection may never have arrived: a run still in
      // progress gets its start again (clients ignore a repeated start), and a verdict, decided
      // before or while the player was away, is sent again.
      if (seat.session && !seat.session.judged) client.send(ServerMessage.START, seat.start!);
      seat.verdictSent = false;
      this.deliverVerdict(seat);
    }

    override onLeave(client: Client, code?: number): void {
      const seat = this.seats.get(client.sessionId);
      if (!seat) return;
      seat.connected = false;
      const session = seat.session;
      if (session && !session.judged) {
        const reason =
          code === CloseCode.CONSENTED ? VerdictReason.LEFT : VerdictReason.DISCONNECTED;
        session.end(Verdict.ABANDONED, reason);
      }
      this.seats.delete(client.sessionId);
      this.state.players.delete(client.sessionId);
    }

    /**
     * Stops taking players, lets running runs go on for the shutdown grace period, ends the
     * rest as unranked, waits for their records and disconnects everyone.
     */
    override onBeforeShutdown(): void {
      this.shuttingDown = true;
      void this.drainForShutdown();
    }

    override async onDispose(): Promise<void> {
      for (const seat of this.seats.values()) {
        seat.session?.end(Verdict.UNRANKED, VerdictReason.SERVER_SHUTDOWN);
      }
      await Promise.allSettled([...this.recording]);
      this.log.info('room disposed');
    }

    private async drainForShutdown(): Promise<void> {
      await this.lock();
      const deadline = performance.now() + deps.shutdownGraceMs;
      while (this.activeRuns() > 0 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
      }
      for (const seat of this.seats.values()) {
        seat.session?.end(Verdict.UNRANKED, VerdictReason.SERVER_SHUTDOWN);
      }
      await Promise.allSettled([...this.recording]);
      await this.disconnect(RoomCloseCode.SERVER_SHUTDOWN);
    }

    private activeRuns(): number {
      let active = 0;
      for (const seat of this.seats.values()) {
        if (seat.session && !seat.session.judged) active++;
      }
      return active;
    }

    private onReady(client: Client): void {
      const seat = this.admit(client);
      if (!seat) return;
      if (seat.session) {
        this.refuse(client, ProtocolErrorCode.ALREADY_STARTED, 'one run per seat');
        return;
      }
      const resetAt = this.course.nextResetAt;
      if (resetAt !== null && Date.now() >= resetAt.getTime()) {
        this.refuse(client, ProtocolErrorCode.COURSE_EXPIRED, 'the course changed; join anew');
        return;
      }

      const runId = randomUUID();
      const identity = {
        runId,
        userId: seat.user.userId,
        username: seat.user.username,
        seasonId: this.course.seasonId,
        roomId: this.roomId,
        seed: this.course.seed,
        ruleset: RULESET_VERSION,
        courseLength: deps.courseLength,
        startedAt: new Date(),
      };
      seat.log = seat.log.child({ runId });
      seat.session = new RunSession(identity, deps.clock, deps.limits, {
        checkpoint: (tick, hash) => seat.client.send(ServerMessage.CHECKPOINT, { tick, hash }),
        judged: (judgement) => this.onJudged(seat, judgement),
      });
      const start: RunStart = {
        protocol: ROOM_PROTOCOL_VERSION,
        runId,
        seasonId: identity.seasonId,
        seed: identity.seed,
        ruleset: identity.ruleset,
        courseLength: identity.courseLength,
        checkpointInterval: CHECKPOINT_INTERVAL_TICKS,
        startedAt: identity.startedAt.toISOString(),
      };
      seat.start = start;
      client.send(ServerMessage.START, start);
      metrics.runStarted();
      seat.ghost.status = GhostStatus.RUNNING;
      seat.log.info({ seed: identity.seed }, 'run started');
    }

    private onInputs(client: Client, payload: unknown): void {
      const seat = this.admit(client);
      const session = seat && this.sessionOf(seat);
      if (!seat || !session) return;
      if (!session.receiveInputs(payload)) return;

      seat.ack.tick = session.receivedTick;
      seat.ack.processed = session.processedTick;
      client.send(ServerMessage.ACK, seat.ack);
      this.updateGhost(seat, session);
    }

    private onSessionMessage(
      client: Client,
      payload: unknown,
      receive: (session: RunSession, payload: unknown) => boolean,
    ): void {
      const seat = this.admit(client);
      const session = seat && this.sessionOf(seat);
      if (!seat || !session) return;
      if (receive(session, payload)) this.updateGhost(seat, session);
    }

    /** The seat of a message's sender, or null when the message is dropped for the rate. */
    private admit(client: Client): Seat | null {
      const seat = this.seats.get(client.sessionId);
      if (!seat) return null;

      // The message rate is real time, whatever clock the judgement runs on.
      const now = performance.now();
      const refill = ((now - seat.refilledAt) * MAX_MESSAGES_PER_SECOND) / 1000;
      seat.tokens = Math.min(MAX_MESSAGES_PER_SECOND, seat.tokens + refill);
      seat.refilledAt = now;
      if (seat.tokens >= 1) {
        seat.tokens -= 1;
        return seat;
      }

      seat.dropped++;
      if (seat.dropped === 1) seat.log.warn('messages dropped for the rate');
      if (seat.dropped > MAX_DROPPED_MESSAGES) {
        seat.session?.reject(VerdictReason.FLOODING);
        this.kick(seat, RoomCloseCode.FLOODING);
      } else if (seat.dropped % MAX_MESSAGES_PER_SECOND === 1) {
        sendError(client, ProtocolErrorCode.RATE_LIMITED, 'message dropped: over the rate');
      }
      return null;
    }

    private sessionOf(seat: Seat): RunSession | null {
      const session = seat.session;
      if (!session) {
        this.refuse(seat.client, ProtocolErrorCode.NOT_STARTED, 'send ready first');
        return null;
      }
      if (session.judged) {
        // Batches in flight when the verdict went out are expected: answered, not counted.
        sendError(seat.client, ProtocolErrorCode.RUN_OVER, 'the run was already judged');
        return null;
      }
      return session;
    }

    private refuse(client: Client, code: ProtocolErrorCode, message: string): void {
      const seat = this.seats.get(client.sessionId);
      sendError(client, code, message);
      if (!seat) return;
      seat.refused++;
      if (seat.refused > MAX_REFUSED_MESSAGES) this.kick(seat, RoomCloseCode.PROTOCOL_VIOLATION);
    }

    private kick(seat: Seat, code: RoomCloseCode): void {
      if (seat.kicked) return;
      seat.kicked = true;
      seat.log.warn({ code }, 'player disconnected by the server');
      seat.client.leave(code);
    }

    private pollSessions(): void {
      for (const seat of this.seats.values()) {
        const session = seat.session;
        if (session && session.poll()) this.updateGhost(seat, session);
      }
    }

    private updateGhost(seat: Seat, session: RunSession): void {
      const player = session.player;
      const ghost = seat.ghost;
      ghost.tick = session.processedTick;
      ghost.x = player.x;
      ghost.y = player.y;
      ghost.hp = player.hp;
      ghost.facing = player.facing;
    }

    private onJudged(seat: Seat, judgement: Judgement): void {
      const session = seat.session!;
      metrics.runJudged(judgement.verdict, judgement.reason);
      seat.ghost.status = GhostStatus.DONE;
      this.updateGhost(seat, session);
      const { result } = judgement;
      const fields = {
        verdict: judgement.verdict,
        reason: judgement.reason,
        tick: result.ticks,
        score: result.score,
        divergedTick: judgement.divergedTick,
      };
      if (judgement.verdict === Verdict.REJECTED) seat.log.warn(fields, 'run rejected');
      else seat.log.info(fields, 'run judged');

      const recorded = this.record(seat, session, judgement).then(() => {
        const verdict: VerdictMessage = {
          runId: session.identity.runId,
          verdict: judgement.verdict,
          reason: judgement.reason,
          ticks: result.ticks,
          score: result.score,
          distance: result.distance,
          kills: result.kills,
          coins: result.coins,
          outcome: result.outcome,
          finalHash: result.finalHash,
        };
        seat.verdict = verdict;
        this.deliverVerdict(seat);
      });
      this.recording.add(recorded);
      void recorded.finally(() => this.recording.delete(recorded));
    }

    private deliverVerdict(seat: Seat): void {
      if (!seat.verdict || seat.verdictSent || !seat.connected) return;
      seat.client.send(ServerMessage.VERDICT, seat.verdict);
      seat.verdictSent = true;
    }

    /**
     * Records the run, retrying with backoff for as long as the process lives: the verdict
     * goes out only once the run is in PostgreSQL (with its outbox row when verified), so a
     * player is never told "verified" about a result that could still be lost. A shutdown
     * waits for these within its budget.
     */
    private async record(seat: Seat, session: RunSession, judgement: Judgement): Promise<void> {
      for (let attempt = 1; ; attempt++) {
        try {
          await deps.store.record(session.identity, judgement);
          if (attempt > 1) seat.log.info({ attempt }, 'run recorded after retries');
          return;
        } catch (err) {
          const fields = { err: (err as Error).message, attempt, verdict: judgement.verdict };
          if (attempt < RECORD_ATTEMPTS_BEFORE_ERROR) seat.log.warn(fields, 'run record failed');
          else seat.log.error(fields, 'run record failed');
          const delay = Math.min(RECORD_RETRY_MAX_MS, 250 * 2 ** (attempt - 1));
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    }

    private lockAtSeasonReset(): void {
      const reset = this.course.nextResetAt;
      if (!reset) return;
      const delay = reset.getTime() - Date.now();
      if (delay > 2 ** 31 - 1) return;
      this.clock.setTimeout(() => void this.lock(), Math.max(0, delay));
    }
  };
}

function joinError(code: JoinErrorCode, detail: string): ServerError {
  return new ServerError(code, `${JoinErrorName[code]}: ${detail}`);
}

function sendError(client: Client, code: ProtocolErrorCode, message: string): void {
  const error: ProtocolError = { code, message };
  client.send(ServerMessage.ERROR, error);
}
