import { describe, expect, it } from 'vitest';
import { GhostTrack } from '../app/game/ghosts.ts';
import type { GhostPose } from '../app/game/ghosts.ts';

const pose = (): GhostPose => ({ x: 0, y: 0, facing: 1 });

describe('GhostTrack', () => {
  it('has no pose before the first sample', () => {
    expect(new GhostTrack().pose(1000, pose())).toBe(false);
  });

  it('draws the ghost between the two samples around now minus the delay', () => {
    const track = new GhostTrack({ delayMs: 100 });
    track.push(1000, 0, 500);
    track.push(1100, 100, 400);
    const out = pose();
    expect(track.pose(1150, out)).toBe(true);
    expect(out).toEqual({ x: 50, y: 450, facing: 1 });
  });

  it('holds the last position when updates stop, and faces the way it last moved', () => {
    const track = new GhostTrack({ delayMs: 100 });
    track.push(1000, 300, 500);
    track.push(1100, 200, 500);
    const out = pose();
    track.pose(5000, out);
    expect(out).toEqual({ x: 200, y: 500, facing: -1 });
  });

  it('keeps the newest samples only and drops ones that arrive out of order', () => {
    const track = new GhostTrack({ delayMs: 0, capacity: 3 });
    for (let i = 0; i < 5; i++) track.push(i * 100, i * 10, 0);
    track.push(50, 999, 999);
    expect(track.size).toBe(3);
    const out = pose();
    track.pose(0, out);
    expect(out.x).toBe(20);
  });
});
