import { randomBytes } from 'node:crypto';
import { KIND_SPECS } from './bot-kinds.ts';
import type { BotKind } from './bot-kinds.ts';
import { runBot } from './bot.ts';
import { LoadMetrics } from './metrics.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MachineSampler, ProcessSampler } from './process-stats.ts';
import type { WatchedProcess } from './process-stats.ts';
import { buildReport } from './report.ts';
import type { LoadReport } from './report.ts';

/** What one load run does. */
export interface LoadPlan {
  /** One bot per entry, started in this order. */
  kinds: readonly BotKind[];
  gatewayUrl: string;
  gameServerUrl: string;
  /** Seconds during which bots start runs; runs under way then are played to their verdict. */
  durationSec: number;
  /** Seconds over which the bots' starts are spread evenly. */
  rampUpSec: number;
  /** Ticks each run is steered with the policy before the bot only holds right. */
  playTicks: number;
  maxRunsPerBot: number;
  /** How long a bot watches the season board for each of its new bests, in ms. */
  rankTimeoutMs: number;
  /** Seconds after `durationSec` at which every bot is stopped, whatever it is doing. */
  hardStopSec: number;
  /** Server processes whose CPU and memory the report shows. */
  processes: readonly WatchedProcess[];
  /** Aborting it stops every bot at once, as the hard limit does. */
  signal?: AbortSignal;
  /** Called once a second with the figures so far. */
  onProgress?: (progress: LoadProgress) => void;
  /** Describes the target in the report. */
  target: { mode: 'started' | 'running'; gatewayUrl: string; gameServerUrl: string };
  options: Record<string, unknown>;
}

/** Live figures of a load run. */
export interface LoadProgress {
  elapsedSec: number;
  botsStarted: number;
  botsDone: number;
  seated: number;
  running: number;
  runsStarted: number;
  verified: number;
  rejected: number;
  other: number;
  honestRejected: number;
  cheatersAccepted: number;
}

/**
 * Runs the bots of a plan against a system and reports what they saw. Bounded: bots start runs
 * only for `durationSec`, and everything stops at `durationSec + hardStopSec` at the latest.
 */
export async function runLoad(plan: LoadPlan): Promise<LoadReport> {
  const metrics = new LoadMetrics();
  const sampler = new ProcessSampler([
    ...plan.processes,
    { name: 'loadtest (bots)', pid: process.pid },
  ]);
  const machine = new MachineSampler();
  const eventLoop = monitorEventLoopDelay({ resolution: 10 });
  const stop = new AbortController();
  if (plan.signal?.aborted) stop.abort();
  plan.signal?.addEventListener('abort', () => stop.abort(), { once: true });
  const startedAt = new Date();
  const t0 = performance.now();
  const startRunsUntil = t0 + plan.durationSec * 1000;
  const namePrefix = `lt${randomBytes(4).toString('hex')}`;
  let botsStarted = 0;
  let botsDone = 0;

  sampler.start();
  machine.start();
  eventLoop.enable();
  const progress = setInterval(() => {
    metrics.sampleConcurrency();
    plan.onProgress?.(snapshot(metrics, t0, botsStarted, botsDone));
  }, 1_000);
  const hardStop = setTimeout(() => stop.abort(), (plan.durationSec + plan.hardStopSec) * 1000);

  const spacingMs = plan.kinds.length > 1 ? (plan.rampUpSec * 1000) / plan.kinds.length : 0;
  const bots = plan.kinds.map(async (kind, index) => {
    await delay(index * spacingMs, stop.signal);
    if (stop.signal.aborted || performance.now() >= startRunsUntil) return;
    botsStarted++;
    try {
      await runBot({
        kind,
        index,
        namePrefix,
        gatewayUrl: plan.gatewayUrl,
        gameServerUrl: plan.gameServerUrl,
        playTicks: plan.playTicks,
        startRunsUntil,
        maxRuns: plan.maxRunsPerBot,
        rankTimeoutMs: plan.rankTimeoutMs,
        metrics,
        signal: stop.signal,
      });
    } catch (err) {
      metrics.failure(`bot: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      botsDone++;
    }
  });
  await Promise.all(bots);

  clearInterval(progress);
  clearTimeout(hardStop);
  eventLoop.disable();
  metrics.sampleConcurrency();
  plan.onProgress?.(snapshot(metrics, t0, botsStarted, botsDone));
  return buildReport({
    startedAt,
    finishedAt: new Date(),
    target: plan.target,
    options: plan.options,
    metrics,
    servers: sampler.stop(),
    machine: machine.stop(),
    botEventLoopDelayMs: {
      p50: Math.round(eventLoop.percentile(50) / 1e5) / 10,
      p99: Math.round(eventLoop.percentile(99) / 1e5) / 10,
      max: Math.round(eventLoop.max / 1e5) / 10,
    },
    hardStopped: stop.signal.aborted,
  });
}

function snapshot(metrics: LoadMetrics, t0: number, started: number, done: number) {
  let verified = 0;
  let rejected = 0;
  let other = 0;
  let honestRejected = 0;
  let cheatersAccepted = 0;
  for (const row of metrics.detection()) {
    verified += row.accepted;
    rejected += row.rejected;
    other += row.unranked + row.abandoned + row.noVerdict;
    if (KIND_SPECS[row.kind].honest) honestRejected += row.rejected;
    else cheatersAccepted += row.accepted;
  }
  return {
    elapsedSec: Math.round((performance.now() - t0) / 1000),
    botsStarted: started,
    botsDone: done,
    seated: metrics.seated,
    running: metrics.running,
    runsStarted: metrics.runsStarted,
    verified,
    rejected,
    other,
    honestRejected,
    cheatersAccepted,
  };
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
