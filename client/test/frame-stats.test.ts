import { describe, expect, it } from 'vitest';
import { FrameStats, summarise } from '../app/game/frame-stats.ts';

describe('frame statistics', () => {
  it('summarises by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarise(values)).toEqual({ count: 100, median: 50, p99: 99, max: 100 });
    expect(summarise([])).toEqual({ count: 0, median: 0, p99: 0, max: 0 });
  });

  it('records intervals between frames and the work inside them', () => {
    const stats = new FrameStats();
    stats.record(0, 2);
    stats.record(16, 3);
    stats.record(40, 4);
    expect(stats.summary()).toEqual({
      frames: 3,
      interval: { count: 2, median: 16, p99: 24, max: 24 },
      work: { count: 3, median: 3, p99: 4, max: 4 },
    });
  });
});
