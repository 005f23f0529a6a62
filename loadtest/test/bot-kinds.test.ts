import { describe, expect, test } from 'vitest';
import {
  BAD_NETWORK_KINDS,
  BotKind,
  CHEAT_KINDS,
  KIND_SPECS,
  SMOKE_MIX,
  botMix,
} from '../src/bot-kinds.ts';

function count(kinds: readonly BotKind[]): Map<BotKind, number> {
  const counts = new Map<BotKind, number>();
  for (const kind of kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

describe('the bot mix', () => {
  test('200 bots with 10 % cheaters: 20 cheaters over 9 kinds, 36 honest on bad networks', () => {
    const mix = botMix(200, 0.1, 0.2);
    const counts = count(mix);
    expect(mix).toHaveLength(200);
    expect(CHEAT_KINDS).toHaveLength(9);
    expect(CHEAT_KINDS.map((kind) => counts.get(kind))).toEqual([3, 3, 2, 2, 2, 2, 2, 2, 2]);
    expect(BAD_NETWORK_KINDS.map((kind) => counts.get(kind))).toEqual([9, 9, 9, 9]);
    expect(counts.get(BotKind.HONEST)).toBe(144);
  });

  test('spreads cheaters over the start order instead of putting them last', () => {
    const mix = botMix(100, 0.1, 0);
    const firstHalfCheaters = mix.slice(0, 50).filter((kind) => !KIND_SPECS[kind].honest);
    expect(firstHalfCheaters).toHaveLength(5);
  });

  test('no cheaters and no bad networks leaves only fair bots on good networks', () => {
    expect(botMix(7, 0, 0)).toEqual(Array(7).fill(BotKind.HONEST));
  });

  test('the smoke mix has six honest bots, four on bad networks, and every cheat once', () => {
    const counts = count(SMOKE_MIX);
    expect(SMOKE_MIX.filter((kind) => KIND_SPECS[kind].honest)).toHaveLength(6);
    expect(counts.get(BotKind.HONEST)).toBe(2);
    for (const kind of [...BAD_NETWORK_KINDS, ...CHEAT_KINDS]) expect(counts.get(kind)).toBe(1);
  });
});
