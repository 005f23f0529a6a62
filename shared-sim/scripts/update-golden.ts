import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BotPolicy, Input, RULESET_VERSION, createRun, encodeInputStream } from '../src/index.ts';

/**
 * Regenerates the golden replays in test/golden/replays.json. Run it only when the rules have
 * changed on purpose (with a new ruleset version), and review the diff of the expected values.
 */
const CHECKPOINT_EVERY = 600;

interface GoldenCase {
  name: string;
  seed: number;
  ruleset: number;
  /** Encoded input stream, hex. */
  stream: string;
  expected: {
    ticks: number;
    score: number;
    distance: number;
    kills: number;
    coins: number;
    outcome: string;
    finalHash: string;
  };
  /** State hash after every 600th tick, keyed by tick. */
  checkpoints: Record<string, string>;
}

function botRun(seed: number): number[] {
  const run = createRun({ seed, ruleset: RULESET_VERSION });
  const bot = new BotPolicy();
  const inputs: number[] = [];
  while (!run.ended) {
    const bits = bot.decide(run);
    inputs.push(bits);
    run.step(bits);
  }
  return inputs;
}

function record(name: string, seed: number, inputs: number[]): GoldenCase {
  const run = createRun({ seed, ruleset: RULESET_VERSION });
  const checkpoints: Record<string, string> = {};
  for (let i = 0; i < inputs.length && !run.ended; i++) {
    run.step(inputs[i]!);
    if (run.tick % CHECKPOINT_EVERY === 0) checkpoints[String(run.tick)] = run.stateHash();
  }
  const { ticks, score, distance, kills, coins, outcome, finalHash } = run.result();
  return {
    name,
    seed,
    ruleset: RULESET_VERSION,
    stream: Buffer.from(encodeInputStream(inputs.slice(0, run.tick))).toString('hex'),
    expected: { ticks, score, distance, kills, coins, outcome, finalHash },
    checkpoints,
  };
}

const zigzag = Array.from({ length: 1_800 }, (_, t) =>
  t % 240 < 200 ? Input.RIGHT | (t % 40 < 4 ? Input.JUMP : 0) : Input.LEFT | Input.ATTACK,
);

const cases = [
  record('bot finishes seed 1', 1, botRun(1)),
  record('bot finishes seed 2', 2, botRun(2)),
  record('bot plays seed 777', 777, botRun(777)),
  record('idle for ten seconds', 5, new Array<number>(600).fill(0)),
  record('runs into the first gap', 5, new Array<number>(1_000).fill(Input.RIGHT)),
  record('scripted zigzag with jumps and swings', 9, zigzag),
];

const out = join(import.meta.dirname, '..', 'test', 'golden', 'replays.json');
writeFileSync(out, `${JSON.stringify(cases, null, 2)}\n`);
console.log(`wrote ${cases.length} golden replays to ${out}`);
