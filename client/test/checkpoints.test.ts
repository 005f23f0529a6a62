import { describe, expect, it } from 'vitest';
import { CheckpointBook } from '../app/game/checkpoints.ts';

describe('CheckpointBook', () => {
  it('counts matching checkpoints and keeps the first divergence', () => {
    const book = new CheckpointBook(4);
    book.record(60, 'aaaa');
    book.record(120, 'bbbb');
    book.record(180, 'cccc');
    expect(book.compare(60, 'aaaa')).toBe('match');
    expect(book.compare(120, 'ffff')).toBe('mismatch');
    expect(book.compare(180, 'eeee')).toBe('mismatch');
    expect(book.matched).toBe(1);
    expect(book.divergence).toEqual({ tick: 120, serverHash: 'ffff', clientHash: 'bbbb' });
  });

  it('knows nothing of ticks it did not record or has forgotten', () => {
    const book = new CheckpointBook(2);
    book.record(60, 'a');
    book.record(120, 'b');
    book.record(180, 'c');
    expect(book.compare(60, 'a')).toBe('unknown');
    expect(book.compare(240, 'd')).toBe('unknown');
    expect(book.hashAt(180)).toBe('c');
  });
});
