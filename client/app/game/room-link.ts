import { Client } from '@colyseus/sdk';
import type { Room } from '@colyseus/sdk';
import { RULESET_VERSION } from '@truerun/shared-sim';
import {
  ClientMessage,
  JoinErrorName,
  ROOM_PROTOCOL_VERSION,
  RUN_ROOM_NAME,
  RoomCloseCode,
  ServerMessage,
} from '@truerun/shared-sim/protocol';
import type {
  Checkpoint,
  Claim,
  GhostView,
  InputAck,
  InputBatch,
  JoinError,
  JoinOptions,
  ProtocolError,
  RunStart,
  VerdictMessage,
} from '@truerun/shared-sim/protocol';
import type { RunLink, RunLinkEvents } from './run-link.ts';

/** Failure codes of the link itself, beside the server's join and close codes. */
export const LinkFailure = {
  UNREACHABLE: 'link/unreachable',
  CLOSED: 'link/closed',
  PROTOCOL_VIOLATION: 'link/protocol_violation',
  FLOODING: 'link/flooding',
  SERVER_SHUTDOWN: 'link/server_shutdown',
} as const;

/** Colyseus's close code for a leave the client asked for. */
const CONSENTED_CLOSE = 4000;

/**
 * A ranked run: the game server's run room, joined through matchmaking with the access token.
 * The SDK reconnects a dropped socket by itself within the server's grace period, and the
 * messages sent meanwhile are buffered and flushed on reconnection.
 */
export class RoomLink implements RunLink {
  readonly ranked = true;
  private readonly endpoint: string;
  private readonly token: string;
  private room: Room | null = null;
  private judged = false;
  private closing = false;

  /** `endpoint` is the game server's WebSocket URL; `token` the player's access token. */
  constructor(endpoint: string, token: string) {
    this.endpoint = endpoint;
    this.token = token;
  }

  async open(events: RunLinkEvents): Promise<void> {
    const options: JoinOptions = {
      token: this.token,
      protocol: ROOM_PROTOCOL_VERSION,
      ruleset: RULESET_VERSION,
    };
    let room: Room;
    try {
      room = await new Client(this.endpoint).joinOrCreate(RUN_ROOM_NAME, options);
    } catch (error) {
      const { code, message } = joinFailure(error);
      events.failed(code, message);
      return;
    }
    this.room = room;
    this.listen(room, events);
    room.send(ClientMessage.READY);
  }

  sendInputs(batch: InputBatch): void {
    this.room?.send(ClientMessage.INPUTS, batch);
  }

  sendCheckpoint(tick: number, hash: string): void {
    const checkpoint: Checkpoint = { tick, hash };
    this.room?.send(ClientMessage.CHECKPOINT, checkpoint);
  }

  sendClaim(claim: Claim): void {
    this.room?.send(ClientMessage.CLAIM, claim);
  }

  async close(): Promise<void> {
    this.closing = true;
    const room = this.room;
    this.room = null;
    if (room) await room.leave(true).catch(() => undefined);
  }

  private listen(room: Room, events: RunLinkEvents): void {
    room.onMessage(ServerMessage.START, (start: RunStart) => events.start(start));
    room.onMessage(ServerMessage.ACK, (ack: InputAck) => events.acknowledged(ack));
    room.onMessage(ServerMessage.CHECKPOINT, (checkpoint: Checkpoint) =>
      events.checkpoint(checkpoint.tick, checkpoint.hash),
    );
    room.onMessage(ServerMessage.VERDICT, (verdict: VerdictMessage) => {
      this.judged = true;
      events.judged(verdict);
    });
    room.onMessage(ServerMessage.ERROR, (error: ProtocolError) =>
      events.refused(error.code, error.message),
    );
    room.onStateChange((state: unknown) => events.ghosts(readGhosts(state)));
    room.onDrop(() => events.dropped());
    room.onReconnect(() => events.reconnected());
    room.onLeave((code: number, reason?: string) => {
      if (this.closing || this.judged || code === CONSENTED_CLOSE) return;
      events.failed(closeFailure(code), reason ?? `connection closed with code ${code}`);
    });
  }
}

/**
 * The seats in a room's state (its `players` map of `GhostView`s), read without depending on
 * the server's schema classes.
 */
export function readGhosts(state: unknown): GhostView[] {
  const seats = (state as { players?: unknown } | null)?.players;
  const ghosts: GhostView[] = [];
  if (!seats || typeof (seats as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    return ghosts;
  }
  for (const entry of seats as Iterable<unknown>) {
    // A MapSchema iterates as [key, value] pairs, an ArraySchema as values.
    const seat = (Array.isArray(entry) ? entry[1] : entry) as Partial<GhostView> | undefined;
    if (!seat || typeof seat.userId !== 'string') continue;
    ghosts.push({
      userId: seat.userId,
      username: String(seat.username ?? ''),
      tick: Number(seat.tick ?? 0),
      x: Number(seat.x ?? 0),
      y: Number(seat.y ?? 0),
      hp: Number(seat.hp ?? 0),
      facing: Number(seat.facing ?? 1),
      status: String(seat.status ?? ''),
    });
  }
  return ghosts;
}

function joinFailure(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'number' && code in JoinErrorName) {
    return { code: JoinErrorName[code as JoinError], message };
  }
  return { code: LinkFailure.UNREACHABLE, message };
}

function closeFailure(code: number): string {
  if (code === RoomCloseCode.PROTOCOL_VIOLATION) return LinkFailure.PROTOCOL_VIOLATION;
  if (code === RoomCloseCode.FLOODING) return LinkFailure.FLOODING;
  if (code === RoomCloseCode.SERVER_SHUTDOWN) return LinkFailure.SERVER_SHUTDOWN;
  return LinkFailure.CLOSED;
}
