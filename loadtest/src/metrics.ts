import { Verdict } from '@truerun/shared-sim/protocol';
import type { VerdictReason } from '@truerun/shared-sim/protocol';
import { ALL_KINDS, KIND_SPECS } from './bot-kinds.ts';
import type { BotKind } from './bot-kinds.ts';

/** Percentiles of a latency series, in ms; every field is null for an empty series. */
export interface LatencySummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/**
 * The nearest-rank percentile (the smallest sample with at least `p`% of the samples at or
 * below it) of an ascending array.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length > 0 ? sorted[sorted.length - 1]! : null),
    mean: round(sorted.length > 0 ? sum / sorted.length : null),
  };
}

/** Latency series the load test records. */
export const LatencySeries = {
  REGISTER: 'register',
  LOGIN: 'login',
  /** From `joinOrCreate` to a seat in a room (matchmaking plus the WebSocket join). */
  JOIN: 'join',
  /** From `ready` to `start`. */
  START: 'start',
  /** From a batch leaving a bot on a good network to the ack that covers it. */
  INPUT_ACK: 'inputAck',
  /** From the claim leaving the bot to the verdict arriving. */
  VERDICT: 'verdict',
  /** From the claim leaving the bot to the run's score showing on the season board. */
  RANK_VISIBLE: 'rankVisible',
  /** One read of a season board's top ten, as the results screen shows it. */
  BOARD_TOP: 'boardTop',
} as const;

export type LatencySeries = (typeof LatencySeries)[keyof typeof LatencySeries];

/** How one run ended, as the load test counts it. */
export type RunEnding = Verdict | 'disconnected' | 'no_verdict';

/** One row of the detection table. */
export interface DetectionRow {
  kind: BotKind;
  honest: boolean;
  expectedReason: VerdictReason;
  runs: number;
  /** Rejected by verdict, or disconnected by the server for breaking the protocol. */
  rejected: number;
  /** Verified: ranked. */
  accepted: number;
  unranked: number;
  abandoned: number;
  /** Ended without any verdict (timeout, connection lost). */
  noVerdict: number;
  /** Runs whose connection dropped and came back to the same seat. */
  reconnected: number;
  /** Reasons seen, with counts. */
  reasons: Record<string, number>;
}

/** A sample of how many bots are where, once a second. */
export interface ConcurrencySample {
  /** Seconds since the load started. */
  t: number;
  /** Bots with a seat in a room. */
  seated: number;
  /** Bots whose run started and is not judged yet. */
  running: number;
}

/**
 * Collects what the bots observe. Everything is kept in memory: a latency sample is a number,
 * so even the ack series of a few hundred bots over minutes stays in the low megabytes.
 */
export class LoadMetrics {
  readonly startedAt = performance.now();
  seated = 0;
  running = 0;
  runsStarted = 0;
  readonly concurrency: ConcurrencySample[] = [];
  private readonly latency = new Map<LatencySeries, number[]>();
  private readonly rows = new Map<BotKind, DetectionRow>();
  private readonly failures = new Map<string, number>();
  rankExpected = 0;
  rankSeen = 0;

  constructor() {
    for (const kind of ALL_KINDS) {
      const spec = KIND_SPECS[kind];
      this.rows.set(kind, {
        kind,
        honest: spec.honest,
        expectedReason: spec.expectedReason,
        runs: 0,
        rejected: 0,
        accepted: 0,
        unranked: 0,
        abandoned: 0,
        noVerdict: 0,
        reconnected: 0,
        reasons: {},
      });
    }
  }

  record(series: LatencySeries, ms: number): void {
    let samples = this.latency.get(series);
    if (!samples) this.latency.set(series, (samples = []));
    samples.push(ms);
  }

  /** Counts a run's ending; `reason` is the verdict's reason or the close code. */
  runEnded(kind: BotKind, ending: RunEnding, reason: string, reconnected = false): void {
    const row = this.rows.get(kind)!;
    row.runs++;
    if (reconnected) row.reconnected++;
    row.reasons[reason] = (row.reasons[reason] ?? 0) + 1;
    if (ending === Verdict.REJECTED || ending === 'disconnected') row.rejected++;
    else if (ending === Verdict.VERIFIED) row.accepted++;
    else if (ending === Verdict.UNRANKED) row.unranked++;
    else if (ending === Verdict.ABANDONED) row.abandoned++;
    else row.noVerdict++;
  }

  /** Counts an unexpected failure by a short stable description. */
  failure(what: string): void {
    this.failures.set(what, (this.failures.get(what) ?? 0) + 1);
  }

  sampleConcurrency(): void {
    const t = Math.round((performance.now() - this.startedAt) / 100) / 10;
    this.concurrency.push({ t, seated: this.seated, running: this.running });
  }

  latencySummaries(): Record<LatencySeries, LatencySummary> {
    const out = {} as Record<LatencySeries, LatencySummary>;
    for (const series of Object.values(LatencySeries)) {
      out[series] = summarize(this.latency.get(series) ?? []);
    }
    return out;
  }

  detection(): DetectionRow[] {
    return [...this.rows.values()].filter((row) => row.runs > 0);
  }

  failureCounts(): Record<string, number> {
    return Object.fromEntries(this.failures);
  }
}
