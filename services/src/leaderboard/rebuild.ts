import type pg from 'pg';
import type { Logger } from '../lib/logger.ts';
import { encodeRankKey, rankMember } from './rank-order.ts';
import type { RedisRankIndex } from './rank-index.ts';
import { readBestsPage, seasonsWithBests } from './result-store.ts';
import type { Season, SeasonStore } from './seasons.ts';

const PAGE = 1000;

/**
 * Copies every best of the season from PostgreSQL into its Redis set, then marks it ready.
 * Copying merges (a player's entry only ever moves ahead), so it is safe while workers write:
 * a best committed after a page was read is pushed by its worker after the commit. With
 * `force`, the season's index is deleted first, which also drops entries PostgreSQL does not
 * have; reads of that season then see a partial board until the copy finishes.
 */
export async function rebuildSeason(
  pool: pg.Pool,
  index: RedisRankIndex,
  season: Season,
  force = false,
): Promise<{ copied: number }> {
  if (force) await index.clear(season.id);

  let copied = 0;
  let afterUserId: string | null = null;
  for (;;) {
    const page = await readBestsPage(pool, season.id, afterUserId, PAGE);
    if (page.length === 0) break;
    await index.push(season, page, false);
    copied += page.length;
    afterUserId = page[page.length - 1]?.userId ?? null;
  }

  await index.markReady(season.id);
  return { copied };
}

/** What the check found: `equal` when Redis holds exactly PostgreSQL's bests. */
export interface CheckReport {
  seasonId: string;
  equal: boolean;
  ready: boolean;
  postgres: number;
  redisRanked: number;
  redisPlayers: number;
  /** Players whose best is in PostgreSQL but not in Redis. */
  missing: number;
  /** Players whose Redis entry is another run or another key than their PostgreSQL best. */
  different: number;
  /** Up to 10 player ids from `missing` and `different`, for a first look. */
  examples: string[];
}

/**
 * Compares a season's Redis index with PostgreSQL, player by player, plus the sizes (so Redis
 * entries PostgreSQL lacks show as a size difference). Equal entries and sizes imply the same
 * order, since the order follows from the entries alone. Under live writes a check can report
 * a difference that the next push removes; run it again before acting on it.
 */
export async function checkSeason(
  pool: pg.Pool,
  index: RedisRankIndex,
  season: Season,
): Promise<CheckReport> {
  const ready = await index.isReady(season.id);
  let postgres = 0;
  let missing = 0;
  let different = 0;
  const examples: string[] = [];

  const keys = index.keys(season.id);
  let afterUserId: string | null = null;
  for (;;) {
    const page = await readBestsPage(pool, season.id, afterUserId, PAGE);
    if (page.length === 0) break;
    postgres += page.length;
    afterUserId = page[page.length - 1]?.userId ?? null;

    const members = await index.redis.hmget(keys.members, ...page.map((best) => best.userId));
    const stored = await Promise.all(
      members.map((member) => (member ? index.redis.zscore(keys.ranks, member) : null)),
    );
    page.forEach((best, i) => {
      const member = members[i];
      const key = stored[i];
      const expectedKey = encodeRankKey(best.score, best.startedAtMs, season.startsAtMs);
      let fault = false;
      if (!member || key === null || key === undefined) {
        missing += 1;
        fault = true;
      } else if (member !== rankMember(best.runId, best.userId) || Number(key) !== expectedKey) {
        different += 1;
        fault = true;
      }
      if (fault && examples.length < 10) examples.push(best.userId);
    });
  }

  const { ranked, players } = await index.size(season.id);
  const equal =
    ready && missing === 0 && different === 0 && ranked === postgres && players === postgres;
  return {
    seasonId: season.id,
    equal,
    ready,
    postgres,
    redisRanked: ranked,
    redisPlayers: players,
    missing,
    different,
    examples,
  };
}

/**
 * Rebuilds every season whose index is not marked ready, so a flushed Redis heals at start-up.
 * Seasons with no bests are simply marked ready.
 */
export async function rebuildMissing(
  pool: pg.Pool,
  seasons: SeasonStore,
  index: RedisRankIndex,
  log: Logger,
): Promise<string[]> {
  const rebuilt: string[] = [];
  const withBests = new Set(await seasonsWithBests(pool));
  for (const season of await seasons.list()) {
    if (await index.isReady(season.id)) continue;
    if (!withBests.has(season.id)) {
      await index.markReady(season.id);
      continue;
    }
    const { copied } = await rebuildSeason(pool, index, season);
    log.info({ seasonId: season.id, copied }, 'season index rebuilt');
    rebuilt.push(season.id);
  }
  return rebuilt;
}

/**
 * Makes sure a season's index is complete before it is used, rebuilding it at most once at a
 * time per season in this process.
 */
export class IndexGuard {
  private readonly pool: pg.Pool;
  private readonly index: RedisRankIndex;
  private readonly log: Logger;
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(pool: pg.Pool, index: RedisRankIndex, log: Logger) {
    this.pool = pool;
    this.index = index;
    this.log = log;
  }

  /** Rebuilds the season's index (merging, never clearing); concurrent callers share one run. */
  rebuild(season: Season): Promise<void> {
    const running = this.inFlight.get(season.id);
    if (running) return running;
    const run = rebuildSeason(this.pool, this.index, season)
      .then(({ copied }) => {
        this.log.info({ seasonId: season.id, copied }, 'season index rebuilt');
      })
      .finally(() => this.inFlight.delete(season.id));
    this.inFlight.set(season.id, run);
    return run;
  }
}
