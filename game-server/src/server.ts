import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import type { Presence, MatchMakerDriver } from '@colyseus/core';
import { RUN_ROOM_NAME } from '@truerun/shared-sim/protocol';
import type { Logger } from '@truerun/services/lib/logger';
import { createRunRoom } from './run-room.ts';
import type { RunRoomDeps } from './run-room.ts';

/**
 * Largest HTTP request body taken, in bytes. Matchmaking requests carry the join options (a
 * token and two versions), well under a kilobyte; Colyseus itself reads bodies whole.
 */
export const MAX_HTTP_BODY_BYTES = 16 * 1024;

/** What the HTTP readiness check asks. */
export interface ReadinessProbe {
  /** Resolves true when the process can take players: database reachable, not stopping. */
  ready(): Promise<boolean>;
}

export interface GameServerOptions {
  room: RunRoomDeps;
  readiness: ReadinessProbe;
  log: Logger;
  /** Shared matchmaking across processes (Redis); in-process when absent. */
  presence?: Presence;
  driver?: MatchMakerDriver;
  /** The address clients reach this process at, unique per process when matchmaking is shared. */
  publicAddress?: string;
}

/** A listening game server. */
export interface GameServer {
  readonly port: number;
  /** Stops matchmaking, lets runs finish within the room's grace period, closes rooms. */
  stopRooms(): Promise<void>;
}

/**
 * Starts Colyseus with the run room, plus `GET /health` (the process is up) and
 * `GET /ready` (it can take players) on the same HTTP server. Colyseus keeps its matchmaker
 * in module state, so one process runs one game server.
 */
export async function startGameServer(
  options: GameServerOptions,
  port: number,
  host: string,
): Promise<GameServer> {
  let stopping = false;
  const server = new Server({
    transport: new WebSocketTransport(),
    presence: options.presence,
    driver: options.driver,
    publicAddress: options.publicAddress,
    gracefullyShutdown: false,
    greet: false,
    express: (app) => {
      app.get('/health', (_req, res) => {
        res.json({ status: 'ok' });
      });
      app.get('/ready', async (_req, res) => {
        const ready = !stopping && (await options.readiness.ready().catch(() => false));
        res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready' });
      });
    },
  });
  server.define(RUN_ROOM_NAME, createRunRoom(options.room));
  await server.listen(port, host);
  limitRequestBodies(server.transport.server!, MAX_HTTP_BODY_BYTES);
  const address = server.transport.server?.address() as AddressInfo;
  options.log.info({ port: address.port, host }, 'game server listening');

  return {
    port: address.port,
    async stopRooms() {
      stopping = true;
      await server.gracefullyShutdown(false);
      options.log.info('rooms closed');
    },
  };
}

/**
 * Puts a size check in front of every request listener of the HTTP server: a body longer than
 * `maxBytes` is refused with 413 before anything reads it, and a body of unknown length (no
 * content-length) with 411, so that no request can make the process buffer an unbounded body.
 */
function limitRequestBodies(http: HttpServer, maxBytes: number): void {
  const listeners = http.listeners('request') as ((
    req: IncomingMessage,
    res: ServerResponse,
  ) => void)[];
  http.removeAllListeners('request');
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const length = req.headers['content-length'];
    const chunked = length === undefined && req.headers['transfer-encoding'] !== undefined;
    if (chunked || Number(length ?? 0) > maxBytes) {
      const status = chunked ? 411 : 413;
      res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ error: chunked ? 'length_required' : 'payload_too_large' }));
      return;
    }
    for (const listener of listeners) listener.call(http, req, res);
  });
}
