import { describe, expect, test } from 'vitest';
import { Verdict } from '@truerun/shared-sim/protocol';
import { BotKind } from '../src/bot-kinds.ts';
import { LoadMetrics, percentile, summarize } from '../src/metrics.ts';

describe('latency percentiles', () => {
  test('use the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 90)).toBe(90);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  test('summarize sorts its samples and rounds to 0.1 ms', () => {
    expect(summarize([3.14159, 1, 2, 10])).toEqual({
      count: 4,
      p50: 2,
      p90: 10,
      p99: 10,
      max: 10,
      mean: 4,
    });
    expect(summarize([])).toEqual({
      count: 0,
      p50: null,
      p90: null,
      p99: null,
      max: null,
      mean: null,
    });
  });
});

describe('the detection table', () => {
  test('counts disconnections by the server as rejections and lists only kinds that ran', () => {
    const metrics = new LoadMetrics();
    metrics.runEnded(BotKind.FLOODING, 'disconnected', 'close/4101');
    metrics.runEnded(BotKind.HONEST, Verdict.VERIFIED, 'run/ok', true);
    metrics.runEnded(BotKind.HONEST, Verdict.UNRANKED, 'run/too_slow');
    metrics.runEnded(BotKind.HONEST, 'no_verdict', 'timeout');
    expect(metrics.detection()).toEqual([
      {
        kind: BotKind.HONEST,
        honest: true,
        expectedReason: 'run/ok',
        runs: 3,
        rejected: 0,
        accepted: 1,
        unranked: 1,
        abandoned: 0,
        noVerdict: 1,
        reconnected: 1,
        reasons: { 'run/ok': 1, 'run/too_slow': 1, timeout: 1 },
      },
      {
        kind: BotKind.FLOODING,
        honest: false,
        expectedReason: 'run/flooding',
        runs: 1,
        rejected: 1,
        accepted: 0,
        unranked: 0,
        abandoned: 0,
        noVerdict: 0,
        reconnected: 0,
        reasons: { 'close/4101': 1 },
      },
    ]);
  });
});
