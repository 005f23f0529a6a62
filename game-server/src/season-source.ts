import type { Logger } from '@truerun/services/lib/logger';

/** The course a new room runs: the season it counts for and the seed of its course. */
export interface CourseSeason {
  seasonId: string;
  seed: number;
  /** When the season's seed changes; rooms stop taking players then. Null when unknown. */
  nextResetAt: Date | null;
}

/** Where rooms learn the current season. */
export interface SeasonSource {
  current(): Promise<CourseSeason>;
}

export interface SeasonSourceOptions {
  /** Base URL of the leaderboard service, or null to always use the fallback. */
  leaderboardUrl: string | null;
  /** The configured season and seed, used when the leaderboard service cannot be reached. */
  fallback: { seasonId: string; seed: number };
  log: Logger;
  /** Default 1500 ms. */
  timeoutMs?: number;
  /** How long an answer is reused, in ms; never past the season's reset. Default 10 s. */
  cacheMs?: number;
}

/**
 * Reads `GET /leaderboard/seasons/current` from the leaderboard service. When the service is
 * down or answers something unexpected, it keeps the last season it learnt until that
 * season's reset, and otherwise falls back to the configured season, so a room can always be
 * created. Answers are cached briefly, so creating rooms does not wait on the network.
 * Limitation: runs on the configured season are judged and recorded, but the leaderboard
 * ranks only runs of seasons it knows.
 */
export function createSeasonSource(options: SeasonSourceOptions): SeasonSource {
  const fallback: CourseSeason = { ...options.fallback, nextResetAt: null };
  const timeoutMs = options.timeoutMs ?? 1_500;
  const cacheMs = options.cacheMs ?? 10_000;
  let cached: { season: CourseSeason; until: number } | null = null;
  let lastKnown: CourseSeason | null = null;

  const fetchSeason = async (): Promise<{ season: CourseSeason; fresh: boolean }> => {
    if (options.leaderboardUrl === null) return { season: fallback, fresh: true };
    const url = new URL('/leaderboard/seasons/current', options.leaderboardUrl);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const season = parseSeason(await response.json());
      lastKnown = season;
      return { season, fresh: true };
    } catch (err) {
      // A season learnt earlier stays right until its reset; runs on it can still be ranked.
      const resetAt = lastKnown?.nextResetAt?.getTime();
      if (lastKnown && resetAt !== undefined && Date.now() < resetAt) {
        options.log.warn({ seasonId: lastKnown.seasonId }, 'season unavailable, keeping the last');
        return { season: lastKnown, fresh: false };
      }
      options.log.warn(
        { err: err instanceof Error ? err.message : String(err), seasonId: fallback.seasonId },
        'season unavailable, using the configured course',
      );
      return { season: fallback, fresh: false };
    }
  };

  return {
    async current() {
      const now = Date.now();
      if (cached && now < cached.until) return cached.season;
      const { season, fresh } = await fetchSeason();
      // A known season is kept until it resets; the fallback is retried sooner.
      const resetAt = season.nextResetAt?.getTime() ?? Infinity;
      const until = Math.min(now + (fresh ? cacheMs : cacheMs / 5), resetAt);
      cached = { season, until };
      return season;
    },
  };
}

function parseSeason(body: unknown): CourseSeason {
  const { season, seed, nextResetAt } = (body ?? {}) as {
    season?: { id?: unknown };
    seed?: unknown;
    nextResetAt?: unknown;
  };
  const seasonId = season?.id;
  if (typeof seasonId !== 'string' || seasonId.length === 0) throw new Error('no season id');
  if (!Number.isInteger(seed) || (seed as number) < 0 || (seed as number) > 0xffffffff) {
    throw new Error('no valid seed');
  }
  const reset = typeof nextResetAt === 'string' ? new Date(nextResetAt) : null;
  return {
    seasonId,
    seed: seed as number,
    nextResetAt: reset !== null && !Number.isNaN(reset.getTime()) ? reset : null,
  };
}
