import type { AddressInfo } from 'node:net';
import { Server } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import type { Presence, MatchMakerDriver } from '@colyseus/core';
import { RUN_ROOM_NAME } from '@truerun/shared-sim/protocol';
import type { Logger } from '@truerun/services/lib/logger';
import { createRunRoom } from './run-room.ts';
import type { RunRoomDeps } from './run-room.ts';

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
