/**
 * Simulation benchmark. Prints figures and asserts nothing:
 * - microseconds per tick (median) replaying bot-played runs, and how many three-minute runs
 *   one core replays per second;
 * - a bare matter-js world with the same bodies, stepped the same way, as a ratio;
 * - the cost per tick early and late in a course four times as long;
 * - bytes allocated per tick, garbage included.
 */
import { Session } from 'node:inspector/promises';
import Matter from 'matter-js';
import {
  BotPolicy,
  DEFAULT_COURSE_LENGTH,
  EnemyKind,
  RULESET_VERSION,
  TICK_MS,
  TICK_RATE,
  createRun,
} from '../src/index.ts';

const THREE_MINUTES = 3 * 60 * TICK_RATE;
const SEEDS = [1, 2, 3];

interface Recorded {
  seed: number;
  inputs: Uint8Array;
  platforms: number;
  walkers: number;
}

/** Plays a seed with the bot, noting the average number of bodies in the physics world. */
function record(seed: number, courseLength = DEFAULT_COURSE_LENGTH): Recorded {
  const run = createRun({ seed, ruleset: RULESET_VERSION, courseLength });
  const bot = new BotPolicy();
  const inputs: number[] = [];
  let platforms = 0;
  let walkers = 0;
  while (!run.ended) {
    const bits = bot.decide(run);
    inputs.push(bits);
    run.step(bits);
    platforms += run.platformHi - run.platformLo;
    walkers += run.enemies.filter((e) => e.kind === EnemyKind.WALKER).length;
  }
  return {
    seed,
    inputs: Uint8Array.from(inputs),
    platforms: platforms / inputs.length,
    walkers: walkers / inputs.length,
  };
}

/** Per-tick nanoseconds of one replay. */
function timeTicks(seed: number, inputs: Uint8Array, courseLength?: number): Float64Array {
  const run = createRun({ seed, ruleset: RULESET_VERSION, courseLength });
  const times = new Float64Array(inputs.length);
  let n = 0;
  for (let i = 0; i < inputs.length && !run.ended; i++) {
    const t0 = process.hrtime.bigint();
    run.step(inputs[i]!);
    times[n++] = Number(process.hrtime.bigint() - t0);
  }
  return times.subarray(0, n);
}

function wholeReplayMs(seed: number, inputs: Uint8Array): number {
  const t0 = process.hrtime.bigint();
  const run = createRun({ seed, ruleset: RULESET_VERSION });
  for (let i = 0; i < inputs.length && !run.ended; i++) run.step(inputs[i]!);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function median(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A matter-js world with the same number of platforms and dynamic boxes, no game rules. */
function bareMatterNsPerTick(platforms: number, dynamics: number, ticks: number): number {
  const { Bodies, Body, Composite, Engine } = Matter;
  const engine = Engine.create({ gravity: { x: 0, y: 1, scale: 0.001 } });
  for (let i = 0; i < platforms; i++) {
    const body = Bodies.rectangle(300 + i * 700, 600, 560, 240, { isStatic: true, friction: 0 });
    Composite.add(engine.world, body);
  }
  const boxes: Matter.Body[] = [];
  for (let i = 0; i < dynamics; i++) {
    const box = Bodies.rectangle(300 + i * 700, 440, 30, 40, { inertia: Infinity, friction: 0 });
    Body.setInertia(box, Infinity);
    boxes.push(box);
    Composite.add(engine.world, box);
  }
  const velocity = { x: 0, y: 0 };
  const times = new Float64Array(ticks);
  for (let t = 0; t < ticks; t++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < boxes.length; i++) {
      velocity.x = t % 240 < 120 ? 1.3 : -1.3;
      velocity.y = boxes[i]!.velocity.y;
      Body.setVelocity(boxes[i]!, velocity);
    }
    Engine.update(engine, TICK_MS);
    times[t] = Number(process.hrtime.bigint() - t0);
  }
  return median(times.subarray(ticks / 5));
}

interface SamplingNode {
  selfSize: number;
  children: SamplingNode[];
}

/**
 * Bytes allocated per tick, from V8's sampling heap profiler with collected objects included,
 * over a warmed-up replay: what the tick path allocates, whether or not it survives.
 */
async function bytesPerTick(seed: number, inputs: Uint8Array): Promise<number> {
  for (let i = 0; i < 3; i++) wholeReplayMs(seed, inputs);
  const run = createRun({ seed, ruleset: RULESET_VERSION });
  for (let i = 0; i < 600; i++) run.step(inputs[i]!);

  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 64,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  let ticks = 0;
  for (let i = 600; i < inputs.length && !run.ended; i++, ticks++) run.step(inputs[i]!);
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as {
    profile: { head: SamplingNode };
  };
  session.disconnect();

  const total = (node: SamplingNode): number =>
    node.selfSize + node.children.reduce((sum, child) => sum + total(child), 0);
  return total(profile.head) / ticks;
}

async function main(): Promise<void> {
  console.log(`shared-sim benchmark on Node ${process.version}, one core`);
  const recorded = SEEDS.map((seed) => record(seed));
  for (const r of recorded) wholeReplayMs(r.seed, r.inputs);

  const medians: number[] = [];
  const wholeMs: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    for (const r of recorded) {
      medians.push(median(timeTicks(r.seed, r.inputs)));
      wholeMs.push((wholeReplayMs(r.seed, r.inputs) * THREE_MINUTES) / r.inputs.length);
    }
  }
  const nsPerTick = median(medians);
  const runMs = median(wholeMs);
  const ticks = recorded.map((r) => r.inputs.length).join(', ');
  console.log(`bot runs: seeds ${SEEDS.join(', ')}, ${ticks} ticks`);
  console.log(`median per tick:             ${(nsPerTick / 1000).toFixed(2)} us`);
  console.log(`three-minute run replayed in ${runMs.toFixed(1)} ms (whole replay, scaled)`);
  console.log(`  = ${(THREE_MINUTES / TICK_RATE / (runMs / 1000)).toFixed(0)}x real time`);
  console.log(`  = ${(1000 / runMs).toFixed(1)} three-minute runs per second per core`);

  const platforms = Math.round(median(recorded.map((r) => r.platforms)));
  const dynamics = 1 + Math.round(median(recorded.map((r) => r.walkers)));
  const bareNs = bareMatterNsPerTick(platforms, dynamics, 20_000);
  console.log(
    `bare matter-js Engine.update, ${platforms} static + ${dynamics} dynamic bodies: ` +
      `${(bareNs / 1000).toFixed(2)} us per tick; ` +
      `simulation / bare = ${(nsPerTick / bareNs).toFixed(2)}`,
  );

  // Difficulty rises with the fraction of the course covered, so compare like with like: the
  // same seed's normal and four-times course, in their first and last quarters.
  for (const scale of [1, 4, 1, 4]) {
    const length = DEFAULT_COURSE_LENGTH * scale;
    const played = record(1, length);
    timeTicks(1, played.inputs, length);
    const times = timeTicks(1, played.inputs, length);
    const quarter = Math.floor(times.length / 4);
    const us = (ns: number) => (ns / 1000).toFixed(2);
    console.log(
      `course x${scale} (${played.inputs.length} ticks, ${played.platforms.toFixed(1)} platforms ` +
        `in the world on average): median ${us(median(times))} us per tick, first quarter ` +
        `${us(median(times.subarray(0, quarter)))} us, last quarter ` +
        `${us(median(times.subarray(times.length - quarter)))} us`,
    );
  }

  const bytes = await bytesPerTick(1, recorded[0]!.inputs);
  console.log(`allocated per tick: ${bytes.toFixed(0)} bytes (sampling heap profiler)`);
}

await main();
