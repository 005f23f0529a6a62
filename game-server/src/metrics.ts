import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { listen } from '@truerun/services/lib/listen';
import type { Logger } from '@truerun/services/lib/logger';
import type { Verdict, VerdictReason } from '@truerun/shared-sim/protocol';

/**
 * What a run room reports: once per run, never per message, so that the message path pays
 * nothing for it (the event-loop delay already tells how long messages wait).
 */
export interface RunMetrics {
  runStarted(): void;
  runJudged(verdict: Verdict, reason: VerdictReason): void;
}

/** A run metrics sink that records nothing, for rooms built without a registry. */
export const NO_METRICS: RunMetrics = {
  runStarted() {},
  runJudged() {},
};

/** The process's metrics in Prometheus form, and the run room's hooks that feed them. */
export interface GameMetrics {
  readonly registry: Registry;
  readonly room: RunMetrics;
}

/**
 * Node's own metrics (event-loop delay percentiles, garbage collection by kind, heap, CPU)
 * plus the game's: runs in progress and verdicts by reason. The event-loop delay percentiles
 * cover the time since the previous scrape.
 */
export function createGameMetrics(): GameMetrics {
  const registry = new Registry();
  collectDefaultMetrics({
    register: registry,
    // The default buckets (1 ms to 5 s) are too coarse for pauses of a few milliseconds.
    gcDurationBuckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5],
    eventLoopMonitoringPrecision: 5,
  });

  const active = new Gauge({
    name: 'truerun_runs_active',
    help: 'Runs started and not yet judged.',
    registers: [registry],
  });
  const judged = new Counter({
    name: 'truerun_runs_judged_total',
    help: 'Runs judged, by verdict and reason.',
    labelNames: ['verdict', 'reason'] as const,
    registers: [registry],
  });

  return {
    registry,
    room: {
      runStarted: () => active.inc(),
      runJudged: (verdict, reason) => {
        active.dec();
        judged.inc({ verdict, reason });
      },
    },
  };
}

/** A listening metrics endpoint. */
export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` in Prometheus text form on a port of its own, apart from the port
 * players connect to, so that only the cluster's scraper reaches it.
 */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host: string,
  log: Logger,
): Promise<MetricsServer> {
  const server = await listen(
    (req, res) => {
      const path = new URL(req.url ?? '/', 'http://metrics').pathname;
      if (path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'not_found' }));
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { 'content-type': 'application/json', allow: 'GET, HEAD' });
        res.end(JSON.stringify({ error: 'method_not_allowed' }));
        return;
      }
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        (err: unknown) => {
          log.error({ err }, 'metrics could not be collected');
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'metrics_unavailable' }));
        },
      );
    },
    port,
    host,
  );
  const bound = (server.address() as AddressInfo).port;
  log.info({ port: bound, host }, 'metrics listening');
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper's open or half-sent request must not hold the shutdown up.
        server.closeAllConnections();
      }),
  };
}
