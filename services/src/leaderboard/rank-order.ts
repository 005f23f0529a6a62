/**
 * The one tie rule of every Truerun leaderboard, and its encoding into a Redis sorted-set score.
 *
 * Order: higher score first; on equal score the run that started earlier (millisecond
 * resolution); on equal start the lower run id (byte order of the UUID, which is the order of
 * its lowercase hex text). Score, start and run id always come from the same run.
 *
 * The sorted set reads in ascending order (ZRANGE, ZRANK), best first. Its score is
 *
 *   key = -score * 2^33 + (startedAt - season start, in ms)
 *
 * so a higher game score gives a lower key and an earlier start a lower key within one game
 * score. Game scores stay below 2^20 and seasons last less than 2^33 ms (about 99 days), so
 * every key is an integer of magnitude below 2^53 and a double holds it exactly. Members are
 * `<runId>:<userId>`; Redis orders equal keys by member bytes, which puts the lower run id
 * first, exactly as PostgreSQL orders `run_id` after `score DESC, started_at`.
 */

/** Exclusive upper bound of a game score the leaderboard accepts. */
export const MAX_SCORE = 2 ** 20;

/** Exclusive upper bound of a season's length in milliseconds (about 99.4 days). */
export const MAX_SEASON_MS = 2 ** 33;

/** One player's best run in a season: the fields the tie rule reads. */
export interface RankedRun {
  userId: string;
  runId: string;
  score: number;
  /** Start of the run, ms since the epoch. */
  startedAtMs: number;
}

/**
 * Compares two runs by the tie rule: negative when `a` ranks ahead of `b`, zero only for the
 * same run.
 */
export function compareRuns(a: RankedRun, b: RankedRun): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.startedAtMs !== b.startedAtMs) return a.startedAtMs - b.startedAtMs;
  if (a.runId === b.runId) return 0;
  return a.runId < b.runId ? -1 : 1;
}

/** The sorted-set score of a run started `startedAtMs` in a season that starts `seasonStartMs`. */
export function encodeRankKey(score: number, startedAtMs: number, seasonStartMs: number): number {
  const offset = startedAtMs - seasonStartMs;
  if (!Number.isInteger(score) || score < 0 || score >= MAX_SCORE) {
    throw new RangeError(`score ${score} is outside [0, ${MAX_SCORE})`);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset >= MAX_SEASON_MS) {
    throw new RangeError(`start offset ${offset} ms is outside [0, ${MAX_SEASON_MS})`);
  }
  return -score * MAX_SEASON_MS + offset || 0;
}

/** Reverses `encodeRankKey`: the game score and the run's start in ms since the epoch. */
export function decodeRankKey(
  key: number,
  seasonStartMs: number,
): { score: number; startedAtMs: number } {
  const score = -Math.floor(key / MAX_SEASON_MS) || 0;
  const offset = key + score * MAX_SEASON_MS;
  return { score, startedAtMs: seasonStartMs + offset };
}

/** The sorted-set member of a player's best run. */
export function rankMember(runId: string, userId: string): string {
  return `${runId}:${userId}`;
}

/** Splits a sorted-set member back into its run and player. */
export function parseRankMember(member: string): { runId: string; userId: string } {
  const split = member.indexOf(':');
  return { runId: member.slice(0, split), userId: member.slice(split + 1) };
}
