import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { createPool, migrate } from '@truerun/services/lib/db';
import { createTestDatabase } from '@truerun/services/test-support/databases';
import type { TestDatabase } from '@truerun/services/test-support/databases';
import { decodeInputStream, Outcome } from '@truerun/shared-sim';
import { RESULT_MESSAGE_VERSION, Verdict, VerdictReason } from '@truerun/shared-sim/protocol';
import { MIGRATIONS_DIR, MIGRATIONS_TABLE } from '../src/migrations.ts';
import type { Judgement, RunIdentity } from '../src/run-session.ts';
import { PgRunStore } from '../src/run-store.ts';
import { testLogger } from './support/harness.ts';

function identity(): RunIdentity {
  return {
    runId: crypto.randomUUID(),
    userId: crypto.randomUUID(),
    username: 'store',
    seasonId: 's1',
    roomId: 'room1',
    seed: 3,
    ruleset: 1,
    courseLength: 2_400,
    startedAt: new Date('2026-12-01T10:00:00.000Z'),
  };
}

function judgement(verdict: Verdict, reason: VerdictReason): Judgement {
  return {
    verdict,
    reason,
    result: {
      ticks: 4,
      score: 1234,
      distance: 20,
      kills: 1,
      coins: 2,
      outcome: Outcome.FINISHED,
      finalHash: '0123456789abcdef',
    },
    claim: { finalTick: 4, score: 1234, hash: '0123456789abcdef' },
    divergedTick: null,
    inputs: Uint8Array.of(2, 2, 6, 2),
    endedAt: new Date('2026-12-01T10:02:00.000Z'),
  };
}

describe('the PostgreSQL run store', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let queued = 0;
  let store: PgRunStore;

  beforeAll(async () => {
    db = await createTestDatabase('game_server_store');
    await migrate(db.url, MIGRATIONS_DIR, MIGRATIONS_TABLE, testLogger('store-test'));
    pool = createPool(db.url, undefined, 2);
    store = new PgRunStore(pool, () => queued++);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  test('a verified run gets its outbox row in the same write, once', async () => {
    const run = identity();
    const judged = judgement(Verdict.VERIFIED, VerdictReason.OK);
    await store.record(run, judged);
    await store.record(run, judged);

    const runs = await pool.query('SELECT verdict, score, inputs FROM runs WHERE run_id = $1', [
      run.runId,
    ]);
    expect(runs.rows).toHaveLength(1);
    expect(decodeInputStream(new Uint8Array(runs.rows[0].inputs))).toEqual(judged.inputs);
    const outbox = await pool.query('SELECT payload FROM result_outbox WHERE run_id = $1', [
      run.runId,
    ]);
    expect(outbox.rows.map((row) => row.payload)).toEqual([
      {
        v: RESULT_MESSAGE_VERSION,
        runId: run.runId,
        userId: run.userId,
        seasonId: 's1',
        ruleset: 1,
        seed: 3,
        score: 1234,
        distance: 20,
        kills: 1,
        coins: 2,
        ticks: 4,
        outcome: 'finished',
        startedAt: '2026-12-01T10:00:00.000Z',
        endedAt: '2026-12-01T10:02:00.000Z',
        finalHash: '0123456789abcdef',
      },
    ]);
    expect(queued).toBe(1);
  });

  test('a rejected run is recorded and never queued for publishing', async () => {
    const run = identity();
    await store.record(run, judgement(Verdict.REJECTED, VerdictReason.CLAIM_MISMATCH));
    const { rows } = await pool.query(
      `SELECT r.reason, o.id AS outbox
       FROM runs r LEFT JOIN result_outbox o USING (run_id) WHERE r.run_id = $1`,
      [run.runId],
    );
    expect(rows).toEqual([{ reason: VerdictReason.CLAIM_MISMATCH, outbox: null }]);
  });
});
