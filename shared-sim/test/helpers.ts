import { BotPolicy, Input, Prng, RULESET_VERSION, createRun } from '../src/index.ts';
import type { Run } from '../src/index.ts';

/** Plays a seed with the bot until the run ends or `maxTicks`; returns the inputs it chose. */
export function botInputs(seed: number, maxTicks = Infinity, courseLength?: number): Uint8Array {
  const run = createRun({ seed, ruleset: RULESET_VERSION, courseLength });
  const bot = new BotPolicy();
  const inputs: number[] = [];
  while (!run.ended && inputs.length < maxTicks) {
    const bits = bot.decide(run);
    inputs.push(bits);
    run.step(bits);
  }
  return Uint8Array.from(inputs);
}

/**
 * Random inputs that look like a clumsy player: each input is held for 1 to 30 ticks, mostly
 * running right, sometimes with undefined-free combinations of every bit.
 */
export function randomInputs(seed: number, ticks: number): Uint8Array {
  const rng = new Prng(seed);
  const inputs = new Uint8Array(ticks);
  let at = 0;
  while (at < ticks) {
    let bits = rng.int(0, 15);
    if (rng.chance(600)) bits = (bits | Input.RIGHT) & ~Input.LEFT;
    const hold = rng.int(1, 30);
    inputs.fill(bits, at, Math.min(ticks, at + hold));
    at += hold;
  }
  return inputs;
}

/** Steps a run through inputs, stopping early if it ends. */
export function play(run: Run, inputs: ArrayLike<number>): void {
  for (let i = 0; i < inputs.length && !run.ended; i++) run.step(inputs[i]!);
}

export function repeat(bits: number, ticks: number): Uint8Array {
  return new Uint8Array(ticks).fill(bits);
}
