import { startSystem } from '../../scripts/system.ts';

/** A whole Truerun system started for one load run, with names no one else uses. */
export interface LocalSystem {
  gatewayUrl: string;
  gameServerUrl: string;
  /** Stops every deployable and removes its database, vhost and Redis keys. */
  stop(): Promise<void>;
}

/**
 * Environment that lifts the gateway's per-address rate limits: every bot connects from
 * 127.0.0.1, where a real deployment sees one address per player.
 */
const LOAD_RATE_LIMITS = {
  RATE_LIMIT_IP_POINTS: '10000000',
  RATE_LIMIT_CREDENTIALS_POINTS: '10000000',
  RATE_LIMIT_USER_POINTS: '100000',
};

/**
 * Starts every backend deployable on free loopback ports, isolated (its own database,
 * RabbitMQ vhost and Redis prefixes). `log` receives every line the deployables print.
 */
export async function startLocalSystem(log: (line: string) => void): Promise<LocalSystem> {
  const system = await startSystem({
    ports: 'free',
    isolated: true,
    withoutClient: true,
    env: LOAD_RATE_LIMITS,
    log,
  });
  return {
    gatewayUrl: system.urls.gateway,
    gameServerUrl: system.urls.gameServer,
    stop: system.stop,
  };
}
