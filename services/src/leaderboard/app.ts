import { randomUUID } from 'node:crypto';
import express from 'express';
import type { Request, RequestHandler } from 'express';
import { ApiError, errorHandler, notFound } from '../lib/http-errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { PlayerDirectory, PlayerProfile } from './player-client.ts';
import type { PageCursor, RankEntry, RedisRankIndex } from './rank-index.ts';
import type { IndexGuard } from './rebuild.ts';
import { seasonContains, seedAt, toSeasonView } from './seasons.ts';
import type { Season, SeasonStore } from './seasons.ts';
import { isTransient } from './transient-errors.ts';

/** Error codes of the leaderboard API. */
export const LeaderboardError = {
  SEASON_NOT_FOUND: 'leaderboard/season_not_found',
  NO_CURRENT_SEASON: 'leaderboard/no_current_season',
  INVALID_QUERY: 'leaderboard/invalid_query',
  INVALID_CURSOR: 'leaderboard/invalid_cursor',
  INVALID_USER: 'leaderboard/invalid_user',
  UNAUTHENTICATED: 'leaderboard/unauthenticated',
  PLAYER_SERVICE_UNAVAILABLE: 'leaderboard/player_service_unavailable',
  INDEX_REBUILDING: 'leaderboard/index_rebuilding',
  UNAVAILABLE: 'leaderboard/unavailable',
} as const;

export interface LeaderboardAppDeps {
  seasons: SeasonStore;
  index: RedisRankIndex;
  guard: IndexGuard;
  players: PlayerDirectory;
  log: Logger;
  now?: () => number;
  /** Create the default weekly season when no season covers the current time. Default true. */
  defaultSeasons?: boolean;
}

/** A board row as the API answers it. */
export interface BoardEntry {
  rank: number;
  userId: string;
  displayName: string | null;
  skin: string | null;
  score: number;
  runId: string;
  startedAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MEMBER = /^[0-9a-f-]{36}:[0-9a-f-]{36}$/;

/**
 * The leaderboard HTTP API. Every route sits under `/leaderboard`, as the gateway forwards it;
 * routes that act for a player read the `x-user-id` header the gateway sets after verifying
 * the access token.
 */
export function createLeaderboardApp(deps: LeaderboardAppDeps): express.Express {
  const now = deps.now ?? Date.now;
  const app = express();
  // Paths match exactly as the gateway matched them: no second spelling of a route.
  app.set('case sensitive routing', true);
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestId);

  const board = new BoardReader(deps);

  // `/health` for probes inside the cluster, `/leaderboard/health` through the gateway.
  app.get(['/health', '/leaderboard/health'], (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/leaderboard/seasons', async (_req, res) => {
    const seasons = await deps.seasons.list();
    res.json({ seasons: seasons.map(toSeasonView) });
  });

  app.get('/leaderboard/seasons/current', async (_req, res) => {
    const at = now();
    const season = await board.current(at);
    res.json({
      season: toSeasonView(season),
      seed: seedAt(season, at),
      nextResetAt: new Date(season.endsAtMs).toISOString(),
    });
  });

  app.get('/leaderboard/seasons/:seasonId', async (req, res) => {
    const season = await board.season(req.params.seasonId, now());
    res.json({ season: toSeasonView(season) });
  });

  app.get('/leaderboard/seasons/:seasonId/top', async (req, res) => {
    const season = await board.season(req.params.seasonId, now());
    const limit = intParam(req, 'limit', 50, 1, 100);
    const cursor = parseCursor(req.query.cursor);
    const page = await board.ready(season, () => deps.index.top(season, cursor, limit));
    res.json({
      season: { id: season.id },
      total: page.total,
      entries: await board.named(page.entries),
      nextCursor: page.next ? encodeCursor(page.next) : null,
    });
  });

  app.get('/leaderboard/seasons/:seasonId/around-me', async (req, res) => {
    const userId = requireUser(req);
    const season = await board.season(req.params.seasonId, now());
    const before = intParam(req, 'before', 5, 0, 50);
    const after = intParam(req, 'after', 5, 0, 50);
    const page = await board.ready(season, () => deps.index.around(season, userId, before, after));
    const entries = await board.named(page.entries);
    res.json({
      season: { id: season.id },
      total: page.total,
      me: entries.find((entry) => entry.userId === userId) ?? null,
      entries,
    });
  });

  app.get('/leaderboard/seasons/:seasonId/players/:userId', async (req, res) => {
    const userId = parseUser(req.params.userId);
    const season = await board.season(req.params.seasonId, now());
    const [entry] = await board.ready(season, () => deps.index.players(season, [userId]));
    const [named] = entry ? await board.named([entry]) : [];
    res.json({ season: { id: season.id }, entry: named ?? null });
  });

  app.get('/leaderboard/seasons/:seasonId/friends', async (req, res) => {
    const userId = requireUser(req);
    const season = await board.season(req.params.seasonId, now());
    let friends: string[];
    try {
      friends = await deps.players.friends(userId);
    } catch (err) {
      deps.log.warn({ err, userId }, 'friends unavailable');
      throw new ApiError(
        503,
        LeaderboardError.PLAYER_SERVICE_UNAVAILABLE,
        'friends cannot be read right now',
      );
    }
    const circle = [...new Set([userId, ...friends.filter((id) => UUID.test(id))])];
    const ranked = await board.ready(season, () => deps.index.players(season, circle));
    const entries = await board.named(ranked);
    res.json({
      season: { id: season.id },
      entries: entries.map((entry, i) => ({ ...entry, position: i + 1 })),
      unranked: circle.length - entries.length,
    });
  });

  app.use(notFound);
  app.use(unavailable);
  app.use(errorHandler(deps.log));
  return app;
}

/** Season lookups, index readiness and display names, shared by the routes. */
class BoardReader {
  private readonly deps: LeaderboardAppDeps;
  /** Seasons never change or overlap, so the current one stays current until it ends. */
  private lastCurrent: Season | null = null;

  constructor(deps: LeaderboardAppDeps) {
    this.deps = deps;
  }

  async current(at: number): Promise<Season> {
    const cached = this.lastCurrent;
    if (cached && seasonContains(cached, at)) return cached;
    const season =
      this.deps.defaultSeasons === false
        ? await this.deps.seasons.at(at)
        : await this.deps.seasons.ensureAt(at);
    if (!season) {
      throw new ApiError(404, LeaderboardError.NO_CURRENT_SEASON, 'no season is running');
    }
    this.lastCurrent = season;
    return season;
  }

  async season(seasonId: string, at: number): Promise<Season> {
    if (seasonId === 'current') return this.current(at);
    const season = /^[a-z0-9][a-z0-9-]{0,63}$/.test(seasonId)
      ? await this.deps.seasons.byId(seasonId)
      : null;
    if (!season) throw new ApiError(404, LeaderboardError.SEASON_NOT_FOUND, 'no such season');
    return season;
  }

  /** Reads from the index, rebuilding the season first when its index is not complete. */
  async ready<T>(season: Season, read: () => Promise<T | null>): Promise<T> {
    const first = await read();
    if (first !== null) return first;
    await this.deps.guard.rebuild(season);
    const second = await read();
    if (second !== null) return second;
    throw new ApiError(503, LeaderboardError.INDEX_REBUILDING, 'the board is being rebuilt');
  }

  /** Adds display names; a board still answers, without names, when profiles are down. */
  async named(entries: readonly RankEntry[]): Promise<BoardEntry[]> {
    let profiles = new Map<string, PlayerProfile>();
    if (entries.length > 0) {
      try {
        profiles = await this.deps.players.profiles(entries.map((entry) => entry.userId));
      } catch (err) {
        this.deps.log.warn({ err }, 'profiles unavailable');
      }
    }
    return entries.map((entry) => {
      const profile = profiles.get(entry.userId);
      return {
        rank: entry.rank,
        userId: entry.userId,
        displayName: profile?.displayName ?? null,
        skin: profile?.skin ?? null,
        score: entry.score,
        runId: entry.runId,
        startedAt: new Date(entry.startedAtMs).toISOString(),
      };
    });
  }
}

const requestId: RequestHandler = (req, res, next) => {
  const header = req.headers['x-request-id'];
  const id = typeof header === 'string' && header.length <= 128 ? header : randomUUID();
  (req as { id?: string }).id = id;
  res.setHeader('x-request-id', id);
  next();
};

/** Redis or PostgreSQL being down is a 503 with a stable code, not an internal error. */
const unavailable: express.ErrorRequestHandler = (err, _req, _res, next) => {
  if (isTransient(err)) {
    next(new ApiError(503, LeaderboardError.UNAVAILABLE, 'the leaderboard is unavailable'));
  } else next(err);
};

function requireUser(req: Request): string {
  const header = req.headers['x-user-id'];
  if (header === undefined) {
    throw new ApiError(
      401,
      LeaderboardError.UNAUTHENTICATED,
      'this board needs a signed-in player',
    );
  }
  return parseUser(header);
}

function parseUser(value: unknown): string {
  const userId = typeof value === 'string' ? value.toLowerCase() : '';
  if (!UUID.test(userId)) {
    throw new ApiError(400, LeaderboardError.INVALID_USER, 'player id is not a UUID');
  }
  return userId;
}

function intParam(req: Request, name: string, fallback: number, min: number, max: number) {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) {
    const message = `${name} must be an integer from ${min} to ${max}`;
    throw new ApiError(400, LeaderboardError.INVALID_QUERY, message);
  }
  return value;
}

/** Cursors are opaque to clients: base64url of the last entry's key and member. */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.key, cursor.member])).toString('base64url');
}

function parseCursor(raw: unknown): PageCursor | null {
  if (raw === undefined) return null;
  const invalid = () => new ApiError(400, LeaderboardError.INVALID_CURSOR, 'cursor is not valid');
  if (typeof raw !== 'string' || raw.length > 200) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw invalid();
  const [key, member] = decoded as unknown[];
  if (!Number.isSafeInteger(key) || typeof member !== 'string' || !MEMBER.test(member)) {
    throw invalid();
  }
  return { key: key as number, member };
}
