import { createHash } from 'node:crypto';
import type pg from 'pg';
import { MAX_SEASON_MS } from './rank-order.ts';

/** A competitive season: runs started in [startsAt, endsAt) belong to it. */
export interface Season {
  id: string;
  name: string;
  /** Inclusive start, ms since the epoch (UTC). */
  startsAtMs: number;
  /** Exclusive end, ms since the epoch (UTC). */
  endsAtMs: number;
  /** Course seeds (unsigned 32-bit); the season's time is split evenly between them, in order. */
  seeds: number[];
}

/** The season as the API and the game server read it. */
export interface SeasonView {
  id: string;
  name: string;
  startsAt: string;
  endsAt: string;
  seeds: number[];
}

/** Why a season could not be created. */
export const SeasonErrorCode = {
  INVALID: 'season/invalid',
  OVERLAPS: 'season/overlaps',
  EXISTS: 'season/exists',
} as const;

export type SeasonErrorCode = (typeof SeasonErrorCode)[keyof typeof SeasonErrorCode];

export class SeasonError extends Error {
  readonly code: SeasonErrorCode;

  constructor(code: SeasonErrorCode, message: string) {
    super(message);
    this.name = 'SeasonError';
    this.code = code;
  }
}

const SEASON_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const WEEK_MS = 7 * 24 * 3600 * 1000;
const DEFAULT_WEEKLY_SEEDS = 7;

export function toSeasonView(season: Season): SeasonView {
  return {
    id: season.id,
    name: season.name,
    startsAt: new Date(season.startsAtMs).toISOString(),
    endsAt: new Date(season.endsAtMs).toISOString(),
    seeds: season.seeds,
  };
}

/** Whether a run that started at `atMs` belongs to the season. */
export function seasonContains(season: Season, atMs: number): boolean {
  return atMs >= season.startsAtMs && atMs < season.endsAtMs;
}

/**
 * The course seed of runs starting at `atMs`: the season is cut into equal slots, one per seed,
 * so a weekly season with seven seeds changes course every day.
 */
export function seedAt(season: Season, atMs: number): number {
  const slotMs = (season.endsAtMs - season.startsAtMs) / season.seeds.length;
  const slot = Math.floor((atMs - season.startsAtMs) / slotMs);
  const index = Math.min(season.seeds.length - 1, Math.max(0, slot));
  return season.seeds[index] as number;
}

/** Checks a season's fields the way the table's constraints do, with a readable reason. */
export function validateSeason(season: Season): void {
  const fail = (message: string) => {
    throw new SeasonError(SeasonErrorCode.INVALID, message);
  };
  if (!SEASON_ID.test(season.id) || season.id === 'current') fail('season id is not valid');
  if (season.name.length < 1 || season.name.length > 100) fail('season name is not valid');
  if (!Number.isInteger(season.startsAtMs) || !Number.isInteger(season.endsAtMs)) {
    fail('season bounds must be whole milliseconds');
  }
  if (season.endsAtMs <= season.startsAtMs) fail('season must end after it starts');
  if (season.endsAtMs - season.startsAtMs >= MAX_SEASON_MS) fail('season is too long');
  if (season.seeds.length < 1 || season.seeds.length > 64) fail('season needs 1 to 64 seeds');
  for (const seed of season.seeds) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail('seed is not a uint32');
  }
}

/** The weekly season (Monday 00:00 UTC to the next Monday) that contains `atMs`. */
export function weeklySeasonAt(atMs: number): Season {
  const day = new Date(atMs);
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  const startsAtMs = Date.UTC(
    day.getUTCFullYear(),
    day.getUTCMonth(),
    day.getUTCDate() - sinceMonday,
  );
  const id = `weekly-${new Date(startsAtMs).toISOString().slice(0, 10)}`;
  return {
    id,
    name: `Week of ${new Date(startsAtMs).toISOString().slice(0, 10)}`,
    startsAtMs,
    endsAtMs: startsAtMs + WEEK_MS,
    seeds: derivedSeeds(id, DEFAULT_WEEKLY_SEEDS),
  };
}

/** Id of a weekly season cut short by its neighbours: named by its exact start. */
function shortenedWeeklyId(startsAtMs: number): string {
  const stamp = new Date(startsAtMs)
    .toISOString()
    .toLowerCase()
    .replace(/[^0-9a-z]+/g, '-');
  return `weekly-${stamp.replace(/-+$/, '')}`;
}

/** Seeds that follow from a season id alone, so every instance derives the same ones. */
function derivedSeeds(id: string, count: number): number[] {
  const digest = createHash('sha256').update(`truerun-season:${id}`).digest();
  return Array.from({ length: count }, (_, i) => digest.readUInt32BE(i * 4));
}

interface SeasonRow {
  id: string;
  name: string;
  starts_at: Date;
  ends_at: Date;
  seeds: string[];
}

function fromRow(row: SeasonRow): Season {
  return {
    id: row.id,
    name: row.name,
    startsAtMs: row.starts_at.getTime(),
    endsAtMs: row.ends_at.getTime(),
    seeds: row.seeds.map(Number),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

const COLUMNS = 'id, name, starts_at, ends_at, seeds';

/**
 * Seasons in PostgreSQL. Seasons are immutable once created, so lookups by id are cached for
 * the life of the process; lookups that miss always ask the database.
 */
export class SeasonStore {
  private readonly pool: pg.Pool;
  private readonly byIdCache = new Map<string, Season>();

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /** Every season, latest first. */
  async list(): Promise<Season[]> {
    const { rows } = await this.pool.query<SeasonRow>(
      `SELECT ${COLUMNS} FROM leaderboard_seasons ORDER BY starts_at DESC`,
    );
    return rows.map(fromRow);
  }

  async byId(id: string): Promise<Season | null> {
    const cached = this.byIdCache.get(id);
    if (cached) return cached;
    const { rows } = await this.pool.query<SeasonRow>(
      `SELECT ${COLUMNS} FROM leaderboard_seasons WHERE id = $1`,
      [id],
    );
    const season = rows[0] ? fromRow(rows[0]) : null;
    if (season) this.byIdCache.set(id, season);
    return season;
  }

  /** The season that contains the instant, if any. */
  async at(atMs: number): Promise<Season | null> {
    const { rows } = await this.pool.query<SeasonRow>(
      `SELECT ${COLUMNS} FROM leaderboard_seasons
        WHERE starts_at <= $1::timestamptz
          AND ends_at > $1::timestamptz`,
      [iso(atMs)],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /** Adds a season; throws `SeasonError` when it is invalid or overlaps another. */
  async create(season: Season): Promise<Season> {
    validateSeason(season);
    try {
      await this.pool.query(
        `INSERT INTO leaderboard_seasons (id, name, starts_at, ends_at, seeds)
         VALUES ($1, $2, $3::timestamptz,
                 $4::timestamptz, $5::bigint[])`,
        [season.id, season.name, iso(season.startsAtMs), iso(season.endsAtMs), season.seeds],
      );
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === '23P01') throw new SeasonError(SeasonErrorCode.OVERLAPS, 'season overlaps');
      if (code === '23505') throw new SeasonError(SeasonErrorCode.EXISTS, 'season id is taken');
      throw err;
    }
    return season;
  }

  /**
   * The season at `atMs`, creating the default weekly one when none covers it. The weekly
   * season is shortened to fit between existing seasons. Several instances may race here: the
   * loser of the insert reads the winner's season.
   */
  async ensureAt(atMs: number): Promise<Season> {
    const existing = await this.at(atMs);
    if (existing) return existing;

    const weekly = weeklySeasonAt(atMs);
    const { rows } = await this.pool.query<{ before_end: Date | null; after_start: Date | null }>(
      `SELECT
         (SELECT max(ends_at) FROM leaderboard_seasons
           WHERE ends_at <= $1::timestamptz) AS before_end,
         (SELECT min(starts_at) FROM leaderboard_seasons
           WHERE starts_at > $1::timestamptz) AS after_start`,
      [iso(atMs)],
    );
    const beforeEnd = rows[0]?.before_end?.getTime() ?? -Infinity;
    const afterStart = rows[0]?.after_start?.getTime() ?? Infinity;
    const startsAtMs = Math.max(weekly.startsAtMs, beforeEnd);
    const endsAtMs = Math.min(weekly.endsAtMs, afterStart);
    const season: Season =
      startsAtMs === weekly.startsAtMs && endsAtMs === weekly.endsAtMs
        ? weekly
        : { ...weekly, id: shortenedWeeklyId(startsAtMs), startsAtMs, endsAtMs };
    try {
      return await this.create(season);
    } catch (err) {
      if (!(err instanceof SeasonError) || err.code === SeasonErrorCode.INVALID) throw err;
      const winner = await this.at(atMs);
      if (!winner) throw err;
      return winner;
    }
  }
}
