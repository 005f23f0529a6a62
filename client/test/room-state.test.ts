import { describe, expect, it } from 'vitest';
import { readGhosts } from '../app/game/room-link.ts';

describe('readGhosts', () => {
  const seat = {
    userId: 'u1',
    username: 'ana',
    tick: 120,
    x: 800.5,
    y: 456,
    hp: 3,
    facing: 1,
    status: 'running',
  };

  it('reads the seats of a map of ghosts', () => {
    const ghosts = new Map([['session-a', seat]]);
    expect(readGhosts({ players: ghosts })).toEqual([seat]);
  });

  it('reads a list of ghosts and skips entries that are not seats', () => {
    expect(readGhosts({ players: [seat, { nope: true }, null] })).toEqual([seat]);
  });

  it('reads nothing from a state without ghosts', () => {
    expect(readGhosts(undefined)).toEqual([]);
    expect(readGhosts({ ghosts: [seat] })).toEqual([]);
  });
});
