import { describe, expect, it } from 'vitest';
import {
  ATTACK,
  BotPolicy,
  DEFAULT_COURSE_LENGTH,
  ENEMY,
  Input,
  Outcome,
  PICKUP,
  PLAYER,
  RULESET_VERSION,
  SCORE,
  SimEventKind,
  WORLD,
  createRun,
  generateCourse,
} from '../src/index.ts';
import type { EnemyKind, Run } from '../src/index.ts';
import { botInputs, play, repeat } from './helpers.ts';

const STANDING_Y = WORLD.startTop - PLAYER.height / 2;

function newRun(seed = 7): Run {
  return createRun({ seed, ruleset: RULESET_VERSION });
}

/** Highest point (smallest y) reached while stepping `inputs`. */
function apex(inputs: ArrayLike<number>): number {
  const run = newRun();
  let top = run.player.y;
  for (let i = 0; i < inputs.length; i++) {
    run.step(inputs[i]!);
    top = Math.min(top, run.player.y);
  }
  return top;
}

describe('a run', () => {
  it('refuses a ruleset it does not know', () => {
    expect(() => createRun({ seed: 1, ruleset: RULESET_VERSION + 1 })).toThrow(RangeError);
  });

  it('refuses seeds and course lengths that would silently alias other runs', () => {
    for (const seed of [-1, 2 ** 32, 0.5, Number.NaN]) {
      expect(() => createRun({ seed, ruleset: RULESET_VERSION })).toThrow(RangeError);
    }
    for (const courseLength of [0, Number.NaN, Infinity, 999.5]) {
      expect(() => createRun({ seed: 1, ruleset: RULESET_VERSION, courseLength })).toThrow(
        RangeError,
      );
    }
    expect(createRun({ seed: 2 ** 32 - 1, ruleset: RULESET_VERSION }).seed).toBe(2 ** 32 - 1);
  });

  it('refuses input that is not made of defined bits', () => {
    const run = newRun();
    for (const bits of [16, -1, 2.5, Number.NaN]) expect(() => run.step(bits)).toThrow(RangeError);
    expect(run.tick).toBe(0);
    run.step(Input.RIGHT | Input.JUMP | Input.ATTACK | Input.LEFT);
    expect(run.tick).toBe(1);
  });

  it('hashes the collected pickups in the window and the pending positional correction', () => {
    const run = newRun();
    play(run, repeat(0, 10));
    const before = run.stateHash();
    const internals = run as unknown as {
      collected: Uint8Array;
      playerBody: { positionImpulse: { x: number } };
    };
    internals.collected[run.pickupLo] = 1;
    const afterPickup = run.stateHash();
    internals.collected[run.pickupLo] = 0;
    internals.playerBody.positionImpulse.x += 1e-9;
    expect(afterPickup).not.toBe(before);
    expect(run.stateHash()).not.toBe(before);
  });

  it('stands still on the start platform without input', () => {
    const run = newRun();
    play(run, repeat(0, 300));
    expect(run.tick).toBe(300);
    expect(run.outcome).toBe(Outcome.RUNNING);
    expect(run.player.grounded).toBe(true);
    expect(run.player.hp).toBe(PLAYER.startHp);
    expect(Math.abs(run.player.y - STANDING_Y)).toBeLessThan(1);
    expect(run.player.x).toBe(PLAYER.startX);
    expect(run.score).toBe(0);
  });

  it('falls out of the course when running into the first gap', () => {
    const run = newRun();
    play(run, repeat(Input.RIGHT, 2_000));
    const firstGapStart = run.course.platforms[0]!.x1;
    expect(run.outcome).toBe(Outcome.FELL);
    expect(run.maxX).toBeGreaterThan(firstGapStart);
    expect(run.maxX).toBeLessThan(run.course.platforms[1]!.x0 + PLAYER.width);
    expect(() => run.step(0)).toThrow(/already ended/);
  });

  it('stops a player walking back at the backtrack allowance', () => {
    const run = newRun();
    play(run, repeat(Input.LEFT, 400));
    expect(run.player.x).toBe(PLAYER.startX - PLAYER.backtrackAllowance + PLAYER.width / 2);
    expect(run.player.grounded).toBe(true);
    expect(run.outcome).toBe(Outcome.RUNNING);
  });

  it('rises higher when jump is held than when it is tapped', () => {
    const held = apex(repeat(Input.JUMP, 80));
    const tapped = apex([Input.JUMP, Input.JUMP, Input.JUMP, ...repeat(0, 77)]);
    const riseHeld = STANDING_Y - held;
    const riseTapped = STANDING_Y - tapped;
    expect(riseHeld).toBeGreaterThan(160);
    expect(riseHeld).toBeLessThan(185);
    expect(riseTapped).toBeLessThan(riseHeld / 2);
  });

  it('jumps once more in the air, and only once', () => {
    const single = apex(repeat(Input.JUMP, 120));
    const twice = [...repeat(Input.JUMP, 20), 0, ...repeat(Input.JUMP, 99)];
    const thrice = [...repeat(Input.JUMP, 20), 0, ...repeat(Input.JUMP, 10), 0];
    const doubleApex = apex(twice);
    expect(STANDING_Y - doubleApex).toBeGreaterThan(STANDING_Y - single + 60);
    const run = newRun();
    const jumps: number[] = [];
    for (const bits of [...thrice, ...repeat(Input.JUMP, 60)]) {
      run.step(bits);
      for (let i = 0; i < run.events; i++) {
        if (run.eventAt(i).kind === SimEventKind.JUMP) jumps.push(run.tick);
      }
    }
    expect(jumps).toEqual([1, 22]);
  });

  it('starts a swing only after the cooldown, on a fresh press', () => {
    const run = newRun();
    const swings: number[] = [];
    for (let t = 1; t <= 60; t++) {
      run.step(t % 2 === 1 ? Input.ATTACK : 0);
      for (let i = 0; i < run.events; i++) {
        if (run.eventAt(i).kind === SimEventKind.ATTACK) swings.push(run.tick);
      }
    }
    expect(swings).toEqual([1, 1 + ATTACK.cooldownTicks, 1 + 2 * ATTACK.cooldownTicks]);
  });
});

describe('the course', () => {
  it('is generated from the seed alone', () => {
    expect(generateCourse(99, DEFAULT_COURSE_LENGTH)).toEqual(
      generateCourse(99, DEFAULT_COURSE_LENGTH),
    );
    expect(generateCourse(99, DEFAULT_COURSE_LENGTH)).not.toEqual(
      generateCourse(100, DEFAULT_COURSE_LENGTH),
    );
  });

  it('keeps platforms, enemies and pickups in x order with matching indexes', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const course = generateCourse(seed, DEFAULT_COURSE_LENGTH);
      course.platforms.forEach((p, i) => {
        expect(p.index).toBe(i);
        if (i > 0) expect(p.x0).toBeGreaterThanOrEqual(course.platforms[i - 1]!.x0);
      });
      course.enemies.forEach((e, i) => {
        expect(e.index).toBe(i);
        if (i > 0) expect(e.x).toBeGreaterThanOrEqual(course.enemies[i - 1]!.x);
      });
      course.pickups.forEach((p, i) => expect(p.index).toBe(i));
      const kinds = new Set(course.enemies.map((e) => e.kind));
      expect([...kinds].sort()).toEqual(['flyer', 'shooter', 'walker']);
      expect(course.finishX).toBeGreaterThan(DEFAULT_COURSE_LENGTH);
    }
  });

  it('has no gap wider than a double jump can cross', () => {
    for (const seed of [11, 12, 13, 14, 15, 16]) {
      const grounds = generateCourse(seed, DEFAULT_COURSE_LENGTH).platforms.filter(
        (p) => !p.floating,
      );
      for (let i = 1; i < grounds.length; i++) {
        expect(grounds[i]!.x0 - grounds[i - 1]!.x1).toBeLessThanOrEqual(260);
        expect(Math.abs(grounds[i]!.top - grounds[i - 1]!.top)).toBeLessThanOrEqual(90);
      }
    }
  });
});

describe('scoring', () => {
  it('follows the documented formula on a finished run', () => {
    const run = newRun(3);
    const inputs = botInputs(3);
    const killKinds: EnemyKind[] = [];
    let heartsAtFull = 0;
    let previousScore = 0;
    for (const bits of inputs) {
      const hpBefore = run.player.hp;
      run.step(bits);
      expect(run.score).toBeGreaterThanOrEqual(previousScore);
      previousScore = run.score;
      for (let i = 0; i < run.events; i++) {
        const event = run.eventAt(i);
        if (event.kind === SimEventKind.KILL)
          killKinds.push(run.course.enemies[event.subject]!.kind);
        if (
          event.kind === SimEventKind.PICKUP &&
          run.course.pickups[event.subject]!.kind === 'heart' &&
          hpBefore === PLAYER.maxHp
        ) {
          heartsAtFull++;
        }
      }
    }
    expect(run.outcome).toBe(Outcome.FINISHED);
    const killScore = killKinds.reduce((sum, kind) => sum + ENEMY[kind].score, 0);
    const timeBonus = Math.floor(Math.max(0, SCORE.parTicks - run.tick) / SCORE.ticksPerTimePoint);
    expect(run.score).toBe(
      Math.floor(run.distance / SCORE.pixelsPerPoint) +
        killScore +
        run.coins * PICKUP.coinScore +
        heartsAtFull * PICKUP.heartScoreWhenFull +
        SCORE.finishBonus +
        timeBonus,
    );
    expect(run.kills).toBe(killKinds.length);
  });
});

describe('the bot policy', () => {
  it('plays a second run as well as a fresh bot would', () => {
    const bot = new BotPolicy();
    for (const seed of [42, 7]) {
      const run = newRun(seed);
      while (!run.ended) run.step(bot.decide(run));
      const fresh = newRun(seed);
      play(fresh, botInputs(seed));
      expect(run.result()).toEqual(fresh.result());
    }
  });

  it('finishes most courses, taking two to three minutes', () => {
    const results = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((seed) => {
      const run = newRun(seed);
      play(run, botInputs(seed));
      return run.result();
    });
    const finished = results.filter((r) => r.outcome === Outcome.FINISHED);
    expect(finished.length).toBeGreaterThanOrEqual(8);
    for (const r of finished) {
      expect(r.ticks).toBeGreaterThan(2 * 60 * 60);
      expect(r.ticks).toBeLessThan(3 * 60 * 60);
      expect(r.kills).toBeGreaterThan(10);
    }
  });
});
