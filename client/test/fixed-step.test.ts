import { describe, expect, it } from 'vitest';
import { FixedStepClock } from '../app/game/fixed-step.ts';

describe('FixedStepClock', () => {
  it('runs one step per step length whatever the frame rate, carrying the remainder', () => {
    const clock = new FixedStepClock({ stepMs: 16 });
    expect(clock.advance(1000)).toBe(0);
    // 250 frames of 4 ms: one second, 62 whole steps and half a step left over.
    let steps = 0;
    for (let i = 1; i <= 250; i++) steps += clock.advance(1000 + i * 4);
    expect(steps).toBe(62);
    expect(clock.alpha).toBe(0.5);
  });

  it('defaults to the ruleset tick', () => {
    const clock = new FixedStepClock();
    clock.advance(0);
    expect(clock.advance(1000 / 60 + 0.01)).toBe(1);
  });

  it('gives the fraction of a step elapsed for interpolation', () => {
    const clock = new FixedStepClock({ stepMs: 10 });
    clock.advance(0);
    expect(clock.advance(25)).toBe(2);
    expect(clock.alpha).toBeCloseTo(0.5, 10);
  });

  it('drops time beyond the per-frame cap instead of bursting', () => {
    const clock = new FixedStepClock({ stepMs: 10, maxStepsPerFrame: 4 });
    clock.advance(0);
    expect(clock.advance(1000)).toBe(4);
    expect(clock.dropped).toBe(960);
    expect(clock.advance(1010)).toBe(1);
  });

  it('counts no time while paused, and resumes where it stopped', () => {
    const clock = new FixedStepClock({ stepMs: 10 });
    clock.advance(0);
    expect(clock.advance(30)).toBe(3);
    clock.pause();
    expect(clock.advance(5_000)).toBe(0);
    clock.resume();
    expect(clock.advance(60_000)).toBe(0);
    expect(clock.advance(60_020)).toBe(2);
    expect(clock.dropped).toBe(0);
  });
});
