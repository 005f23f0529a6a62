import { describe, expect, test } from 'vitest';
import { Verdict } from '@truerun/shared-sim/protocol';
import { BotKind } from '../src/bot-kinds.ts';
import { LatencySeries, LoadMetrics } from '../src/metrics.ts';
import { buildReport, gateProblems } from '../src/report.ts';
import { renderHtml } from '../src/report-html.ts';

function reportOf(metrics: LoadMetrics) {
  return buildReport({
    startedAt: new Date('2026-12-04T10:00:00Z'),
    finishedAt: new Date('2026-12-04T10:01:00Z'),
    target: {
      mode: 'started',
      gatewayUrl: 'http://127.0.0.1:1',
      gameServerUrl: 'ws://127.0.0.1:2',
    },
    options: { bots: 3 },
    metrics,
    servers: [
      {
        name: 'game-server',
        pid: 42,
        samples: [
          { t: 1, cpuPct: 20, rssMiB: 100 },
          { t: 2, cpuPct: 40, rssMiB: 120 },
        ],
      },
    ],
    machine: [{ t: 1, cpuBusyPct: 50, loadAvg1: 1.5 }],
    botEventLoopDelayMs: { p50: 10.1, p99: 12, max: 30 },
    hardStopped: false,
  });
}

describe('the report', () => {
  test('sums verdicts, honest rejections and accepted cheaters', () => {
    const metrics = new LoadMetrics();
    metrics.runEnded(BotKind.HONEST, Verdict.VERIFIED, 'run/ok');
    metrics.runEnded(BotKind.HONEST_JITTER, Verdict.REJECTED, 'run/claim_mismatch');
    metrics.runEnded(BotKind.FORGED_CLAIM, Verdict.VERIFIED, 'run/ok');
    metrics.runEnded(BotKind.FAST_CLOCK, Verdict.REJECTED, 'run/too_fast');
    metrics.record(LatencySeries.JOIN, 12);
    const report = reportOf(metrics);

    expect(report.runs).toBe(4);
    expect(report.verdicts).toEqual({
      verified: 2,
      rejected: 2,
      unranked: 0,
      abandoned: 0,
      none: 0,
    });
    expect(report.honestRuns).toBe(2);
    expect(report.honestRejected).toBe(1);
    expect(report.cheaterRuns).toBe(2);
    expect(report.cheatersAccepted).toBe(1);
    expect(report.latency.join.p99).toBe(12);
    expect(report.servers[0]).toMatchObject({ cpuPctMean: 30, cpuPctMax: 40, rssMiBMax: 120 });
    expect(gateProblems(report, false)).toEqual([
      '1 honest runs rejected',
      '1 cheating runs accepted',
    ]);
  });

  test('the strict gate also wants every honest run verified and every cheat rejected', () => {
    const metrics = new LoadMetrics();
    metrics.runEnded(BotKind.HONEST_STALL, Verdict.UNRANKED, 'run/too_slow');
    metrics.runEnded(BotKind.MALFORMED, 'no_verdict', 'timeout');
    const report = reportOf(metrics);
    expect(gateProblems(report, false)).toEqual([]);
    expect(gateProblems(report, true)).toEqual([
      'honest-stall-burst: 1 of 1 runs not verified',
      'cheat-malformed: 1 of 1 runs not rejected',
    ]);
  });

  test('a load run in which nothing was played fails', () => {
    expect(gateProblems(reportOf(new LoadMetrics()), false)).toEqual(['no run was played']);
  });

  test('the HTML page is self-contained: inline SVG, no scripts, no external resources', () => {
    const metrics = new LoadMetrics();
    metrics.runEnded(BotKind.UNDEFINED_BITS, Verdict.REJECTED, 'run/undefined_bits');
    metrics.record(LatencySeries.INPUT_ACK, 3);
    metrics.sampleConcurrency();
    const html = renderHtml(reportOf(metrics));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<svg /g)?.length).toBe(6);
    expect(html).not.toMatch(/<script|<link|\bsrc=|\bhref=|@import|url\(/i);
    expect(html).toContain('<td>cheat-undefined-bits</td>');
    expect(html).toContain('0 of 0 honest runs rejected');
  });

  test('escapes what it shows', () => {
    const metrics = new LoadMetrics();
    metrics.failure('<b>oops</b>');
    metrics.runEnded(BotKind.HONEST, Verdict.VERIFIED, 'run/ok');
    const html = renderHtml(reportOf(metrics));
    expect(html).toContain('&lt;b&gt;oops&lt;/b&gt;');
    expect(html).not.toContain('<b>oops</b>');
  });
});
