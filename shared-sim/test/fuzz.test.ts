import { describe, expect, it } from 'vitest';
import { BotPolicy, Outcome, PLAYER, Prng, RULESET_VERSION, createRun } from '../src/index.ts';
import type { Run } from '../src/index.ts';
import { randomInputs } from './helpers.ts';

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const FUZZ_BASE_SEED = Number(process.env.FUZZ_SEED ?? 0x7e57);
const TICKS = 3_000;

/**
 * Input sources for fuzzing. Pure random input rarely gets past the first gaps, so half the
 * runs use the bot with random bits flipped, which reaches enemies, pickups and later terrain.
 */
function inputSource(seed: number): (run: Run, tick: number) => number {
  if (seed % 2 === 0) {
    const inputs = randomInputs(seed ^ 0x5eed, TICKS);
    return (_, tick) => inputs[tick]!;
  }
  const bot = new BotPolicy();
  const noise = new Prng(seed ^ 0x0b07);
  return (run) => {
    const bits = bot.decide(run);
    return noise.chance(40) ? bits ^ noise.int(1, 15) : bits;
  };
}

/** Steps a fuzzed run and checks the invariants after every tick; the first broken one, or null. */
function checkInvariants(seed: number, outcomes?: Set<string>): string | null {
  const run = createRun({ seed, ruleset: RULESET_VERSION });
  const next = inputSource(seed);
  let previous = { score: 0, kills: 0, coins: 0, maxX: run.maxX };
  for (let i = 0; i < TICKS && !run.ended; i++) {
    run.step(next(run, i));
    const p = run.player;
    const at = `tick ${run.tick}`;
    if (run.tick !== i + 1) return `${at}: tick counter is ${run.tick}, expected ${i + 1}`;
    if (p.hp < 0 || p.hp > PLAYER.maxHp) return `${at}: hp ${p.hp} out of bounds`;
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return `${at}: position not finite`;
    if (run.score < previous.score) return `${at}: score fell from ${previous.score}`;
    if (run.kills < previous.kills || run.coins < previous.coins) return `${at}: counter fell`;
    if (run.maxX < previous.maxX) return `${at}: furthest point moved back`;
    if (run.ended && run.outcome === Outcome.RUNNING) return `${at}: ended while running`;
    if (!/^[0-9a-f]{16}$/.test(run.stateHash())) return `${at}: malformed state hash`;
    previous = { score: run.score, kills: run.kills, coins: run.coins, maxX: run.maxX };
  }
  outcomes?.add(run.outcome);
  return null;
}

/** Seeds that once broke an invariant, kept as named cases. */
const REGRESSIONS: readonly { name: string; seed: number }[] = [];

describe('seeded fuzzing', () => {
  it(`holds every invariant over ${FUZZ_RUNS} random runs (base seed ${FUZZ_BASE_SEED})`, () => {
    const failures: string[] = [];
    for (let i = 0; i < FUZZ_RUNS; i++) {
      const seed = (FUZZ_BASE_SEED + i * 7919) >>> 0;
      const problem = checkInvariants(seed);
      if (problem) failures.push(`seed ${seed}: ${problem}`);
    }
    if (failures.length > 0) console.error(`fuzz failures:\n${failures.join('\n')}`);
    expect(failures).toEqual([]);
  });

  for (const { name, seed } of REGRESSIONS) {
    it(`regression: ${name} (seed ${seed})`, () => {
      expect(checkInvariants(seed)).toBeNull();
    });
  }

  it('ends runs in every way a clumsy player can', () => {
    const outcomes = new Set<string>();
    for (let i = 0; i < FUZZ_RUNS; i++)
      checkInvariants((FUZZ_BASE_SEED + i * 7919) >>> 0, outcomes);
    expect([...outcomes].sort()).toEqual([Outcome.DEFEATED, Outcome.FELL, Outcome.RUNNING]);
  });
});
