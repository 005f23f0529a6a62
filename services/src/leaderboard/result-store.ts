import type pg from 'pg';
import type { RankedRun } from './rank-order.ts';
import type { VerifiedRun } from './result-message.ts';

/** A player's best run of one season. */
export interface SeasonBest extends RankedRun {
  seasonId: string;
}

/** Where verified runs and season bests live; PostgreSQL is the source of truth. */
export interface ResultStore {
  /**
   * Records the runs not recorded yet and raises each player's season best by the tie rule,
   * in one transaction. Returns the bests, after the transaction, of every player in `runs`,
   * including players whose runs were all recorded before (a redelivery).
   */
  record(runs: readonly VerifiedRun[]): Promise<SeasonBest[]>;
}

/** Fault-injection points for tests that kill a worker at a chosen moment. */
export interface ResultStoreHooks {
  /** Runs inside the transaction after every write, before COMMIT. */
  beforeCommit?: () => Promise<void>;
  /** Runs after COMMIT, before the bests are handed back. */
  afterCommit?: () => Promise<void>;
}

interface BestRow {
  season_id: string;
  user_id: string;
  run_id: string;
  score: number;
  started_at: Date;
}

const iso = (ms: number) => new Date(ms).toISOString();

function fromBestRow(row: BestRow): SeasonBest {
  return {
    seasonId: row.season_id,
    userId: row.user_id,
    runId: row.run_id,
    score: row.score,
    startedAtMs: row.started_at.getTime(),
  };
}

/**
 * Inserts rows in run-id order and updates bests in (season, player) order, so concurrent
 * batches that share rows wait on each other instead of deadlocking. The best update compares
 * against the latest committed best under its row lock (ON CONFLICT DO UPDATE ... WHERE), so two
 * workers raising the same player's best at once both end with the better run.
 */
export class PgResultStore implements ResultStore {
  private readonly pool: pg.Pool;
  private readonly hooks: ResultStoreHooks;

  constructor(pool: pg.Pool, hooks: ResultStoreHooks = {}) {
    this.pool = pool;
    this.hooks = hooks;
  }

  async record(runs: readonly VerifiedRun[]): Promise<SeasonBest[]> {
    if (runs.length === 0) return [];
    const byRunId = [...runs].sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
    const params = recordParams(byRunId);

    // One statement is one transaction; the hooks need an explicit one around it.
    if (!this.hooks.beforeCommit && !this.hooks.afterCommit) {
      const { rows } = await this.pool.query<BestRow>(RECORD_SQL, params);
      return rows.map(fromBestRow);
    }

    const client = await this.pool.connect();
    let rows: BestRow[];
    try {
      await client.query('BEGIN');
      rows = (await client.query<BestRow>(RECORD_SQL, params)).rows;
      await this.hooks.beforeCommit?.();
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(err instanceof Error ? err : true);
      throw err;
    }
    client.release();
    await this.hooks.afterCommit?.();
    return rows.map(fromBestRow);
  }
}

/**
 * Records a batch in one statement (one round trip, one transaction):
 *
 * 1. `inserted`: the runs not recorded yet, in run-id order.
 * 2. `candidates`: the best new run of each (season, player), by the tie rule.
 * 3. `raised`: upserts each candidate in (season, player) order; the WHERE clause compares it
 *    with the latest committed best under the row lock, so a concurrent better best is kept.
 * 4. The answer: the raised bests, plus the current best of every other player in the batch
 *    (a redelivery, or a run that did not beat the best). Those come from the statement's
 *    snapshot, so one can be older than a best another worker commits meanwhile; offering it
 *    to Redis is harmless, since that worker offers the newer one and Redis keeps the better.
 */
const RECORD_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::bigint[], $6::int[],
                       $7::float8[], $8::int[], $9::int[], $10::int[], $11::text[],
                       $12::timestamptz[], $13::timestamptz[], $14::text[])
    AS t (run_id, user_id, season_id, ruleset, seed, score, distance, kills, coins, ticks,
          outcome, started_at, ended_at, final_hash)
),
inserted AS (
  INSERT INTO leaderboard_results
    (run_id, user_id, season_id, ruleset, seed, score, distance, kills, coins, ticks,
     outcome, started_at, ended_at, final_hash)
  SELECT * FROM input ORDER BY run_id
  ON CONFLICT (run_id) DO NOTHING
  RETURNING season_id, user_id, run_id, score, started_at
),
candidates AS (
  SELECT DISTINCT ON (season_id, user_id) season_id, user_id, run_id, score, started_at
    FROM inserted
   ORDER BY season_id, user_id, score DESC, started_at, run_id
),
raised AS (
  INSERT INTO leaderboard_bests AS b (season_id, user_id, run_id, score, started_at)
  SELECT season_id, user_id, run_id, score, started_at FROM candidates
   ORDER BY season_id, user_id
  ON CONFLICT (season_id, user_id) DO UPDATE
    SET run_id = EXCLUDED.run_id, score = EXCLUDED.score, started_at = EXCLUDED.started_at,
        updated_at = now()
    WHERE (-EXCLUDED.score, EXCLUDED.started_at, EXCLUDED.run_id)
        < (-b.score, b.started_at, b.run_id)
  RETURNING b.season_id, b.user_id, b.run_id, b.score, b.started_at
)
SELECT season_id, user_id, run_id, score, started_at FROM raised
UNION ALL
SELECT b.season_id, b.user_id, b.run_id, b.score, b.started_at
  FROM leaderboard_bests b
  JOIN (SELECT DISTINCT season_id, user_id FROM input) p USING (season_id, user_id)
 WHERE NOT EXISTS (
   SELECT 1 FROM raised r WHERE r.season_id = b.season_id AND r.user_id = b.user_id
 )`;

function recordParams(runs: readonly VerifiedRun[]): unknown[] {
  return [
    runs.map((r) => r.runId),
    runs.map((r) => r.userId),
    runs.map((r) => r.seasonId),
    runs.map((r) => r.ruleset),
    runs.map((r) => r.seed),
    runs.map((r) => r.score),
    runs.map((r) => r.distance),
    runs.map((r) => r.kills),
    runs.map((r) => r.coins),
    runs.map((r) => r.ticks),
    runs.map((r) => r.outcome),
    runs.map((r) => iso(r.startedAtMs)),
    runs.map((r) => iso(r.endedAtMs)),
    runs.map((r) => r.finalHash),
  ];
}

/**
 * Reads a season's bests in player-id order, the page after player `afterUserId`; the rebuild
 * and the check use it. Costs one primary-key range scan per page.
 */
export async function readBestsPage(
  pool: pg.Pool,
  seasonId: string,
  afterUserId: string | null,
  limit: number,
): Promise<SeasonBest[]> {
  const { rows } = await pool.query<BestRow>(
    `SELECT season_id, user_id, run_id, score, started_at FROM leaderboard_bests
      WHERE season_id = $1 AND ($2::uuid IS NULL OR user_id > $2::uuid)
      ORDER BY user_id LIMIT $3`,
    [seasonId, afterUserId, limit],
  );
  return rows.map(fromBestRow);
}

/** A season's bests in rank order, at most `limit` of them (tests and small checks). */
export async function readRankedBests(
  pool: pg.Pool,
  seasonId: string,
  limit: number,
): Promise<SeasonBest[]> {
  const { rows } = await pool.query<BestRow>(
    `SELECT season_id, user_id, run_id, score, started_at FROM leaderboard_bests
      WHERE season_id = $1 ORDER BY score DESC, started_at, run_id LIMIT $2`,
    [seasonId, limit],
  );
  return rows.map(fromBestRow);
}

/** Ids of the seasons that have at least one ranked player. */
export async function seasonsWithBests(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ season_id: string }>(
    `SELECT s.id AS season_id FROM leaderboard_seasons s
      WHERE EXISTS (SELECT 1 FROM leaderboard_bests b WHERE b.season_id = s.id)
      ORDER BY s.starts_at`,
  );
  return rows.map((row) => row.season_id);
}
