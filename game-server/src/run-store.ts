import type pg from 'pg';
import { encodeInputStream } from '@truerun/shared-sim';
import { RESULT_MESSAGE_VERSION, Verdict } from '@truerun/shared-sim/protocol';
import type { VerifiedResultMessage } from '@truerun/shared-sim/protocol';
import type { Judgement, RunIdentity } from './run-session.ts';

/** Where judged runs are kept. */
export interface RunStore {
  /**
   * Records a judged run; for a verified run, also queues its result for publishing, in the
   * same transaction. Recording the same run id twice keeps the first record.
   */
  record(identity: RunIdentity, judgement: Judgement): Promise<void>;
}

/** The result message of a verified run, from the server's own numbers. */
export function verifiedResultMessage(
  identity: RunIdentity,
  judgement: Judgement,
): VerifiedResultMessage {
  const { result } = judgement;
  return {
    v: RESULT_MESSAGE_VERSION,
    runId: identity.runId,
    userId: identity.userId,
    seasonId: identity.seasonId,
    ruleset: identity.ruleset,
    seed: identity.seed,
    score: result.score,
    distance: result.distance,
    kills: result.kills,
    coins: result.coins,
    ticks: result.ticks,
    outcome: result.outcome,
    startedAt: identity.startedAt.toISOString(),
    endedAt: judgement.endedAt.toISOString(),
    finalHash: result.finalHash,
  };
}

const INSERT_RUN = `
  INSERT INTO runs (run_id, user_id, username, season_id, room_id, seed, ruleset, course_length,
    started_at, ended_at, verdict, reason, ticks, score, distance, kills, coins, outcome,
    final_hash, claim, diverged_tick, inputs)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
    $20, $21, $22)
  ON CONFLICT (run_id) DO NOTHING`;

const INSERT_OUTBOX = `INSERT INTO result_outbox (run_id, payload) VALUES ($1, $2)`;

/** Runs in the `runs` table and verified results in the `result_outbox` table. */
export class PgRunStore implements RunStore {
  private readonly pool: pg.Pool;
  private readonly onQueued: () => void;

  /** `onQueued` is called after a verified result's transaction commits. */
  constructor(pool: pg.Pool, onQueued: () => void = () => {}) {
    this.pool = pool;
    this.onQueued = onQueued;
  }

  async record(identity: RunIdentity, judgement: Judgement): Promise<void> {
    const { result } = judgement;
    const client = await this.pool.connect();
    let queued = false;
    try {
      await client.query('BEGIN');
      const inserted = await client.query(INSERT_RUN, [
        identity.runId,
        identity.userId,
        identity.username,
        identity.seasonId,
        identity.roomId,
        identity.seed,
        identity.ruleset,
        identity.courseLength,
        identity.startedAt,
        judgement.endedAt,
        judgement.verdict,
        judgement.reason,
        result.ticks,
        result.score,
        result.distance,
        result.kills,
        result.coins,
        result.outcome,
        result.finalHash,
        judgement.claim === null ? null : JSON.stringify(judgement.claim),
        judgement.divergedTick,
        Buffer.from(encodeInputStream(judgement.inputs)),
      ]);
      if (inserted.rowCount === 1 && judgement.verdict === Verdict.VERIFIED) {
        const message = verifiedResultMessage(identity, judgement);
        await client.query(INSERT_OUTBOX, [identity.runId, JSON.stringify(message)]);
        queued = true;
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    if (queued) this.onQueued();
  }
}
