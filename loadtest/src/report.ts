import { mkdirSync, writeFileSync } from 'node:fs';
import { BotKind } from './bot-kinds.ts';
import { join } from 'node:path';
import type { ConcurrencySample, DetectionRow, LatencySummary, LoadMetrics } from './metrics.ts';
import type { LatencySeries } from './metrics.ts';
import type { MachineSample, ProcessSeries } from './process-stats.ts';
import { renderHtml } from './report-html.ts';

/** CPU and memory of one server process over the load run. */
export interface ServerUsage extends ProcessSeries {
  cpuPctMean: number | null;
  cpuPctMax: number | null;
  rssMiBMax: number | null;
}

/** Everything one load run measured; written as `report.json` and rendered as `report.html`. */
export interface LoadReport {
  startedAt: string;
  finishedAt: string;
  target: { mode: 'started' | 'running'; gatewayUrl: string; gameServerUrl: string };
  options: Record<string, unknown>;
  /** True when bots were stopped at the hard limit, with runs still under way. */
  hardStopped: boolean;
  runs: number;
  verdicts: {
    verified: number;
    rejected: number;
    unranked: number;
    abandoned: number;
    none: number;
  };
  detection: DetectionRow[];
  honestRuns: number;
  honestRejected: number;
  cheaterRuns: number;
  cheatersAccepted: number;
  latency: Record<LatencySeries, LatencySummary>;
  /** Verified runs that set the player's best, and how many of them showed on the board. */
  rankVisibility: { expected: number; seen: number };
  concurrency: ConcurrencySample[];
  peakSeated: number;
  servers: ServerUsage[];
  /** The whole machine: CPU busy and load average, including work that is not this system's. */
  machine: MachineSample[];
  /**
   * How late the load generator's own timers ran. When this is high, every latency above
   * includes the bots' own delay, not just the system's.
   */
  botEventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Unexpected failures (accounts, joins, REST), by description. */
  failures: Record<string, number>;
}

export interface ReportInput {
  startedAt: Date;
  finishedAt: Date;
  target: LoadReport['target'];
  options: Record<string, unknown>;
  metrics: LoadMetrics;
  servers: ProcessSeries[];
  machine: MachineSample[];
  botEventLoopDelayMs: LoadReport['botEventLoopDelayMs'];
  hardStopped: boolean;
}

export function buildReport(input: ReportInput): LoadReport {
  const detection = input.metrics.detection();
  const verdicts = { verified: 0, rejected: 0, unranked: 0, abandoned: 0, none: 0 };
  let honestRuns = 0;
  let honestRejected = 0;
  let cheaterRuns = 0;
  let cheatersAccepted = 0;
  for (const row of detection) {
    verdicts.verified += row.accepted;
    verdicts.rejected += row.rejected;
    verdicts.unranked += row.unranked;
    verdicts.abandoned += row.abandoned;
    verdicts.none += row.noVerdict;
    if (row.honest) {
      honestRuns += row.runs;
      honestRejected += row.rejected;
    } else {
      cheaterRuns += row.runs;
      cheatersAccepted += row.accepted;
    }
  }
  const concurrency = input.metrics.concurrency;
  return {
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    target: input.target,
    options: input.options,
    hardStopped: input.hardStopped,
    runs: detection.reduce((total, row) => total + row.runs, 0),
    verdicts,
    detection,
    honestRuns,
    honestRejected,
    cheaterRuns,
    cheatersAccepted,
    latency: input.metrics.latencySummaries(),
    rankVisibility: { expected: input.metrics.rankExpected, seen: input.metrics.rankSeen },
    concurrency,
    peakSeated: concurrency.reduce((peak, sample) => Math.max(peak, sample.seated), 0),
    servers: input.servers.map(usage),
    machine: input.machine,
    botEventLoopDelayMs: input.botEventLoopDelayMs,
    failures: input.metrics.failureCounts(),
  };
}

function usage(series: ProcessSeries): ServerUsage {
  const cpu = series.samples.map((sample) => sample.cpuPct);
  const rss = series.samples.map((sample) => sample.rssMiB);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    ...series,
    cpuPctMean: cpu.length ? round(cpu.reduce((a, b) => a + b, 0) / cpu.length) : null,
    cpuPctMax: cpu.length ? Math.max(...cpu) : null,
    rssMiBMax: rss.length ? Math.max(...rss) : null,
  };
}

/**
 * The gate of a load run: no honest run rejected and no cheater accepted. `strict` (the smoke
 * run) also wants every honest run verified and every cheating run rejected, so a run in which
 * nothing was judged cannot pass.
 */
export function gateProblems(report: LoadReport, strict: boolean): string[] {
  const problems: string[] = [];
  if (report.honestRejected > 0) problems.push(`${report.honestRejected} honest runs rejected`);
  if (report.cheatersAccepted > 0) {
    problems.push(`${report.cheatersAccepted} cheating runs accepted`);
  }
  if (report.runs === 0) problems.push('no run was played');
  if (!strict) return problems;
  for (const row of report.detection) {
    if (row.honest && row.accepted < row.runs) {
      problems.push(`${row.kind}: ${row.runs - row.accepted} of ${row.runs} runs not verified`);
    }
    if (row.kind === BotKind.HONEST_RECONNECT && row.reconnected < row.runs) {
      problems.push(
        `${row.kind}: ${row.runs - row.reconnected} of ${row.runs} runs never reconnected`,
      );
    }
    if (!row.honest && row.rejected < row.runs) {
      problems.push(`${row.kind}: ${row.runs - row.rejected} of ${row.runs} runs not rejected`);
    }
  }
  const failures = Object.entries(report.failures);
  if (failures.length > 0) {
    problems.push(`failures: ${failures.map(([what, n]) => `${what} ×${n}`).join('; ')}`);
  }
  return problems;
}

/** Writes `report.json` and `report.html` into `dir` and returns their paths. */
export function writeReport(report: LoadReport, dir: string): { json: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const html = join(dir, 'report.html');
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(html, renderHtml(report));
  return { json, html };
}
