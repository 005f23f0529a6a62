import type { Redis } from 'ioredis';
import { decodeRankKey, encodeRankKey, parseRankMember, rankMember } from './rank-order.ts';
import type { SeasonBest } from './result-store.ts';
import type { Season } from './seasons.ts';

/** One row of a board: 1-based rank in the season's total order. */
export interface RankEntry {
  rank: number;
  userId: string;
  runId: string;
  score: number;
  startedAtMs: number;
}

/** Where a page of the top ends: the sorted-set key and member of its last entry. */
export interface PageCursor {
  key: number;
  member: string;
}

export interface TopPage {
  total: number;
  entries: RankEntry[];
  next: PageCursor | null;
}

export interface AroundPage {
  total: number;
  me: RankEntry | null;
  entries: RankEntry[];
}

// Lua scripts run atomically in Redis, so a read never sees half of an update.

// Byte-wise string order, the order Redis itself gives equal-score members.
const BYTE_BEFORE = `
local function before(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
`;

// Keeps, for each player, whichever of the stored and the offered run ranks ahead; ranks are
// compared with ZRANK after adding the offered run, so the comparison is Redis's own order.
// Returns -1 without writing when the season is not marked ready (it must be rebuilt first).
const PUSH = `
if ARGV[1] == '1' and redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
local changed = 0
for i = 2, #ARGV, 3 do
  local user, key, member = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local old = redis.call('HGET', KEYS[2], user)
  redis.call('ZADD', KEYS[1], key, member)
  if not old then
    redis.call('HSET', KEYS[2], user, member)
    changed = changed + 1
  elseif old ~= member then
    local oldRank = redis.call('ZRANK', KEYS[1], old)
    if oldRank and oldRank < redis.call('ZRANK', KEYS[1], member) then
      redis.call('ZREM', KEYS[1], member)
    else
      if oldRank then redis.call('ZREM', KEYS[1], old) end
      redis.call('HSET', KEYS[2], user, member)
      changed = changed + 1
    end
  end
end
return changed
`;

// A page after the cursor entry. When that entry has left (its player improved), the page
// starts where it would stand now: after every entry with a lower key or an equal key and a
// lower member.
const TOP = `${BYTE_BEFORE}
if redis.call('EXISTS', KEYS[2]) == 0 then return false end
local start = 0
if ARGV[2] ~= '' then
  local rank = redis.call('ZRANK', KEYS[1], ARGV[2])
  if rank then
    start = rank + 1
  else
    start = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. ARGV[1])
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])) do
      if before(m, ARGV[2]) then start = start + 1 end
    end
  end
end
local stop = start + tonumber(ARGV[3]) - 1
local page = redis.call('ZRANGE', KEYS[1], start, stop, 'WITHSCORES')
return {start, redis.call('ZCARD', KEYS[1]), page}
`;

const AROUND = `
if redis.call('EXISTS', KEYS[3]) == 0 then return false end
local total = redis.call('ZCARD', KEYS[1])
local member = redis.call('HGET', KEYS[2], ARGV[1])
local rank = member and redis.call('ZRANK', KEYS[1], member)
if not rank then return {-1, total, 0, {}} end
local from = math.max(0, rank - tonumber(ARGV[2]))
local stop = rank + tonumber(ARGV[3])
return {rank, total, from, redis.call('ZRANGE', KEYS[1], from, stop, 'WITHSCORES')}
`;

const PLAYERS = `
if redis.call('EXISTS', KEYS[3]) == 0 then return false end
local out = {}
for _, user in ipairs(ARGV) do
  local member = redis.call('HGET', KEYS[2], user)
  local rank = member and redis.call('ZRANK', KEYS[1], member)
  if rank then
    out[#out + 1] = rank
    out[#out + 1] = member
    out[#out + 1] = redis.call('ZSCORE', KEYS[1], member)
  end
end
return out
`;

type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

function script(redis: Redis, name: string, numberOfKeys: number, lua: string): ScriptCall {
  const commands = redis as unknown as Record<string, ScriptCall | undefined>;
  if (!commands[name]) redis.defineCommand(name, { numberOfKeys, lua });
  const call = commands[name] as ScriptCall;
  return (...args) => call.apply(redis, args);
}

/** The three keys of a season's index; the hash tag keeps them in one cluster slot. */
export interface SeasonKeys {
  ranks: string;
  members: string;
  ready: string;
}

/**
 * The Redis rank index: per season, a sorted set of each player's best run (the order of
 * `rank-order.ts`), a hash from player to member, and a ready marker set once the set holds
 * every best in PostgreSQL. A season without its marker (never built, flushed, evicted) is
 * rebuilt from PostgreSQL before it is written to or read.
 *
 * Costs: a push is O(log n) per player, a page O(log n + page size), a rank O(log n).
 */
export class RedisRankIndex {
  readonly redis: Redis;
  private readonly prefix: string;
  private readonly pushScript: ScriptCall;
  private readonly topScript: ScriptCall;
  private readonly aroundScript: ScriptCall;
  private readonly playersScript: ScriptCall;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
    this.pushScript = script(redis, 'truerunRankPush', 3, PUSH);
    this.topScript = script(redis, 'truerunRankTop', 2, TOP);
    this.aroundScript = script(redis, 'truerunRankAround', 3, AROUND);
    this.playersScript = script(redis, 'truerunRankPlayers', 3, PLAYERS);
  }

  keys(seasonId: string): SeasonKeys {
    const base = `${this.prefix}season:{${seasonId}}`;
    return { ranks: `${base}:ranks`, members: `${base}:members`, ready: `${base}:ready` };
  }

  /**
   * Offers each best to the season's set; a player's entry changes only when the offered run
   * ranks ahead of the stored one, so offers may repeat, race and arrive out of order.
   * With `requireReady`, writes nothing and returns 'not_ready' when the season's set is not
   * complete.
   */
  async push(
    season: Season,
    bests: readonly SeasonBest[],
    requireReady: boolean,
  ): Promise<number | 'not_ready'> {
    const keys = this.keys(season.id);
    const args: (string | number)[] = [requireReady ? '1' : '0'];
    for (const best of bests) {
      const key = encodeRankKey(best.score, best.startedAtMs, season.startsAtMs);
      args.push(best.userId, String(key), rankMember(best.runId, best.userId));
    }
    const changed = Number(await this.pushScript(keys.ranks, keys.members, keys.ready, ...args));
    return changed < 0 ? 'not_ready' : changed;
  }

  async isReady(seasonId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys(seasonId).ready)) === 1;
  }

  async markReady(seasonId: string): Promise<void> {
    await this.redis.set(this.keys(seasonId).ready, '1');
  }

  /** Deletes a season's index, marker included. */
  async clear(seasonId: string): Promise<void> {
    const keys = this.keys(seasonId);
    await this.redis.del(keys.ready, keys.ranks, keys.members);
  }

  /** Number of players in the season's set, and in its player hash. */
  async size(seasonId: string): Promise<{ ranked: number; players: number }> {
    const keys = this.keys(seasonId);
    const [ranked, players] = await Promise.all([
      this.redis.zcard(keys.ranks),
      this.redis.hlen(keys.members),
    ]);
    return { ranked, players };
  }

  /** A page of the top after `cursor` (the first page without one); null when not ready. */
  async top(season: Season, cursor: PageCursor | null, limit: number): Promise<TopPage | null> {
    const keys = this.keys(season.id);
    const reply = (await this.topScript(
      keys.ranks,
      keys.ready,
      cursor ? String(cursor.key) : '',
      cursor ? cursor.member : '',
      limit,
    )) as [number, number, string[]] | null;
    if (!reply) return null;

    const [start, total, flat] = reply;
    const entries = toEntries(flat, start, season.startsAtMs);
    const last = flat.length >= 2 ? flat.length - 2 : -1;
    const next =
      entries.length === limit && start + limit < total && last >= 0
        ? { key: Number(flat[last + 1]), member: flat[last] as string }
        : null;
    return { total, entries, next };
  }

  /** The player's entry and its neighbours; null when not ready. */
  async around(
    season: Season,
    userId: string,
    before: number,
    after: number,
  ): Promise<AroundPage | null> {
    const keys = this.keys(season.id);
    const reply = (await this.aroundScript(
      keys.ranks,
      keys.members,
      keys.ready,
      userId,
      before,
      after,
    )) as [number, number, number, string[]] | null;
    if (!reply) return null;

    const [rank, total, from, flat] = reply;
    if (rank < 0) return { total, me: null, entries: [] };
    const entries = toEntries(flat, from, season.startsAtMs);
    const me = entries.find((entry) => entry.userId === userId) ?? null;
    return { total, me, entries };
  }

  /** The entries of the given players that are ranked, in rank order; null when not ready. */
  async players(season: Season, userIds: readonly string[]): Promise<RankEntry[] | null> {
    const keys = this.keys(season.id);
    if (userIds.length === 0) return (await this.isReady(season.id)) ? [] : null;
    const reply = (await this.playersScript(keys.ranks, keys.members, keys.ready, ...userIds)) as
      (number | string)[] | null;
    if (!reply) return null;

    const entries: RankEntry[] = [];
    for (let i = 0; i < reply.length; i += 3) {
      const member = String(reply[i + 1]);
      const key = Number(reply[i + 2]);
      entries.push(toEntry(Number(reply[i]), member, key, season.startsAtMs));
    }
    return entries.sort((a, b) => a.rank - b.rank);
  }
}

function toEntries(flat: readonly string[], firstIndex: number, seasonStartMs: number) {
  const entries: RankEntry[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const member = flat[i] as string;
    const key = Number(flat[i + 1]);
    entries.push(toEntry(firstIndex + i / 2, member, key, seasonStartMs));
  }
  return entries;
}

function toEntry(index: number, member: string, key: number, seasonStartMs: number): RankEntry {
  const { runId, userId } = parseRankMember(member);
  const { score, startedAtMs } = decodeRankKey(key, seasonStartMs);
  return { rank: index + 1, userId, runId, score, startedAtMs };
}
