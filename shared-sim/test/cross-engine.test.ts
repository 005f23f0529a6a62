import { beforeAll, describe, expect, it } from 'vitest';
import { RULESET_VERSION, encodeInputStream, replayHashes } from '../src/index.ts';
import { bundleSimulation } from '../scripts/bundle.ts';
import { runInChromium, runInJavaScriptCore, runInQuickJS } from './engines/engines.ts';
import type { EngineCase, EngineRunner } from './engines/engines.ts';
import { botInputs, randomInputs } from './helpers.ts';

const HASH_DIGITS = 16;

/** 25 random runs, 25 bot-played openings and one whole bot-played run. */
function buildCases(): { cases: EngineCase[]; expected: string[] } {
  const streams: { seed: number; inputs: Uint8Array }[] = [];
  for (let i = 0; i < 25; i++) {
    const seed = 1000 + i;
    streams.push({ seed, inputs: randomInputs(seed, 1_500) });
  }
  for (let i = 0; i < 25; i++) {
    const seed = 2000 + i;
    streams.push({ seed, inputs: botInputs(seed, 2_400) });
  }
  streams.push({ seed: 3, inputs: botInputs(3) });

  const cases = streams.map(({ seed, inputs }) => ({
    seed,
    ruleset: RULESET_VERSION,
    stream: Buffer.from(encodeInputStream(inputs)).toString('hex'),
  }));
  const expected = streams.map(({ seed, inputs }) =>
    replayHashes({ seed, ruleset: RULESET_VERSION, inputs }).join(''),
  );
  return { cases, expected };
}

/** One line per diverging case: the seed and the first tick whose hash differs. */
function divergences(cases: EngineCase[], expected: string[], actual: string[]): string[] {
  const lines: string[] = [];
  cases.forEach((c, i) => {
    const mine = expected[i]!;
    const theirs = actual[i] ?? '';
    if (mine === theirs) return;
    let tick = 0;
    while (
      mine.slice(tick * HASH_DIGITS, (tick + 1) * HASH_DIGITS) ===
      theirs.slice(tick * HASH_DIGITS, (tick + 1) * HASH_DIGITS)
    ) {
      tick++;
    }
    const at = (s: string) => s.slice(tick * HASH_DIGITS, (tick + 1) * HASH_DIGITS) || 'none';
    lines.push(
      `seed ${c.seed}: first divergence at tick ${tick + 1}: ` +
        `node ${at(mine)}, engine ${at(theirs)}`,
    );
  });
  return lines;
}

describe('cross-engine determinism', () => {
  let bundle = '';
  let cases: EngineCase[] = [];
  let expected: string[] = [];

  beforeAll(async () => {
    bundle = await bundleSimulation();
    ({ cases, expected } = buildCases());
  });

  it('covers at least 50 runs with thousands of ticks', () => {
    expect(cases.length).toBe(51);
    const ticks = expected.reduce((sum, hashes) => sum + hashes.length / HASH_DIGITS, 0);
    expect(ticks).toBeGreaterThan(50_000);
  });

  const engines: [string, EngineRunner][] = [
    ['QuickJS', runInQuickJS],
    ['JavaScriptCore', runInJavaScriptCore],
    ['Chromium', runInChromium],
  ];
  for (const [name, runner] of engines) {
    it(`${name} computes the same hash as Node on every tick`, async () => {
      const actual = await runner(bundle, cases);
      const lines = divergences(cases, expected, actual);
      if (lines.length > 0) console.error(`${name} diverged from Node:\n${lines.join('\n')}`);
      expect(lines).toEqual([]);
    }, 600_000);
  }

  it('names the seed and the first diverging tick when an engine disagrees', async () => {
    // An engine whose square root is off in the last bits, as a transcendental function
    // might be: the comparison must catch it and say where.
    const skewed = `(function () { var sqrt = Math.sqrt;
      Math.sqrt = function (x) { return sqrt(x) * (1 + 4e-16); }; })();\n${bundle}`;
    const sample = cases.slice(25, 28);
    const actual = await runInJavaScriptCore(skewed, sample);
    const lines = divergences(sample, expected.slice(25, 28), actual);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^seed 20\d\d: first divergence at tick \d+: /);
  });
});
