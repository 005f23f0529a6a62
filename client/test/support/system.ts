import { freePorts, startSystem } from '../../../scripts/system.ts';

/** The backend, running as child processes against its own database, keys and names. */
export interface LocalSystem {
  gatewayUrl: string;
  gameServerUrl: string;
  /** The last lines every deployable printed, for a failing test's report. */
  logs: string[];
  stop(): Promise<void>;
}

/**
 * Starts every backend deployable on free ports of 127.0.0.1, isolated (a fresh database, a
 * RabbitMQ vhost and Redis prefixes of its own), so the run never meets another test's data.
 * `clientOrigin` is the page's origin, allowed by the gateway's CORS.
 */
export async function startLocalSystem(clientOrigin: string): Promise<LocalSystem> {
  const system = await startSystem({
    ports: 'free',
    isolated: true,
    withoutClient: true,
    log: () => undefined,
    env: {
      CORS_ORIGINS: clientOrigin,
      SHUTDOWN_GRACE_SEC: '2',
      SHUTDOWN_FLUSH_SEC: '2',
      LOG_LEVEL: 'warn',
    },
  });
  return {
    gatewayUrl: system.urls.gateway,
    gameServerUrl: system.urls.gameServer,
    logs: system.logs,
    stop: system.stop,
  };
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return (await freePorts()).client;
}
