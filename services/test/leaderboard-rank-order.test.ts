import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  MAX_SCORE,
  MAX_SEASON_MS,
  compareRuns,
  decodeRankKey,
  encodeRankKey,
  rankMember,
} from '../src/leaderboard/rank-order.ts';
import type { RankedRun } from '../src/leaderboard/rank-order.ts';

const SEASON_START = Date.parse('2026-11-30T00:00:00Z');

/** Redis's order of a sorted set: key ascending, then member bytes ascending. */
function redisOrder(a: RankedRun, b: RankedRun): number {
  const ka = encodeRankKey(a.score, a.startedAtMs, SEASON_START);
  const kb = encodeRankKey(b.score, b.startedAtMs, SEASON_START);
  if (ka !== kb) return ka - kb;
  return Buffer.compare(
    Buffer.from(rankMember(a.runId, a.userId)),
    Buffer.from(rankMember(b.runId, b.userId)),
  );
}

describe('rank keys', () => {
  it('encode known runs to exact integers and back', () => {
    expect(encodeRankKey(0, SEASON_START, SEASON_START)).toBe(0);
    expect(Object.is(encodeRankKey(0, SEASON_START, SEASON_START), 0)).toBe(true);
    expect(encodeRankKey(1, SEASON_START, SEASON_START)).toBe(-8_589_934_592);
    expect(encodeRankKey(12_345, SEASON_START + 1_000, SEASON_START)).toBe(
      -106_042_742_538_240 + 1_000,
    );
    const largest = encodeRankKey(MAX_SCORE - 1, SEASON_START, SEASON_START);
    expect(largest).toBe(-(2 ** 53) + 2 ** 33);
    expect(Number.isSafeInteger(largest)).toBe(true);
    expect(
      Number.isSafeInteger(encodeRankKey(0, SEASON_START + MAX_SEASON_MS - 1, SEASON_START)),
    ).toBe(true);
    expect(decodeRankKey(-106_042_742_537_240, SEASON_START)).toEqual({
      score: 12_345,
      startedAtMs: SEASON_START + 1_000,
    });
    expect(decodeRankKey(largest, SEASON_START)).toEqual({
      score: MAX_SCORE - 1,
      startedAtMs: SEASON_START,
    });
  });

  it('refuse scores and starts outside the exact range', () => {
    expect(() => encodeRankKey(MAX_SCORE, SEASON_START, SEASON_START)).toThrow(RangeError);
    expect(() => encodeRankKey(-1, SEASON_START, SEASON_START)).toThrow(RangeError);
    expect(() => encodeRankKey(1.5, SEASON_START, SEASON_START)).toThrow(RangeError);
    expect(() => encodeRankKey(1, SEASON_START - 1, SEASON_START)).toThrow(RangeError);
    expect(() => encodeRankKey(1, SEASON_START + MAX_SEASON_MS, SEASON_START)).toThrow(RangeError);
  });

  it('order exactly like the tie rule, over seeded random runs with many ties', () => {
    const seed = 424242;
    console.info(`rank order fuzz seed ${seed}`);
    let state = seed;
    const random = () => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return state / 2 ** 32;
    };
    const runs: RankedRun[] = Array.from({ length: 5_000 }, () => ({
      userId: randomUUID(),
      runId: randomUUID(),
      score: random() < 0.1 ? MAX_SCORE - 1 : Math.floor(random() * 20),
      startedAtMs: SEASON_START + (random() < 0.1 ? MAX_SEASON_MS - 1 : Math.floor(random() * 5)),
    }));
    const byRule = [...runs].sort(compareRuns);
    const byRedis = [...runs].sort(redisOrder);
    expect(byRedis.map((run) => run.runId)).toEqual(byRule.map((run) => run.runId));
    for (const run of runs) {
      const key = encodeRankKey(run.score, run.startedAtMs, SEASON_START);
      expect(decodeRankKey(key, SEASON_START)).toEqual({
        score: run.score,
        startedAtMs: run.startedAtMs,
      });
    }
  });
});
