import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import { createTestSigner } from '@truerun/services/test-support/tokens';
import { Verdict, VerdictReason } from '@truerun/shared-sim/protocol';
import { scaledClock } from '../src/clock.ts';
import {
  AMQP_URL,
  TEST_COURSE_LENGTH,
  TEST_SEED,
  consumeResults,
  deleteAmqpNames,
  prepareBackends,
  runRow,
  startHarness,
} from './support/harness.ts';
import type { Harness, ResultConsumer } from './support/harness.ts';
import { startGameProcess, startJwksServer } from './support/game-process.ts';
import { recordBotRun, streamRun } from './support/run-client.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';
import type { TcpProxy } from './support/tcp-proxy.ts';

const honest = recordBotRun(TEST_SEED, TEST_COURSE_LENGTH);
const amqpPort = Number(new URL(AMQP_URL).port || 5672);

function proxiedAmqpUrl(proxy: TcpProxy): string {
  const url = new URL(AMQP_URL);
  url.port = String(proxy.port);
  return url.toString();
}

async function unsentRunIds(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ run_id: string }>(
    'SELECT run_id FROM result_outbox WHERE sent_at IS NULL ORDER BY run_id',
  );
  return rows.map((row) => row.run_id);
}

describe('while RabbitMQ is down, verified results wait and go out once it is back', () => {
  // A test clock five times real time lets these runs stream in about two seconds each.
  const RATE = 5;
  let proxy: TcpProxy;
  let harness: Harness;
  let consumer: ResultConsumer;

  beforeAll(async () => {
    proxy = await startTcpProxy(amqpPort);
    harness = await startHarness({ clock: scaledClock(RATE), amqpUrl: proxiedAmqpUrl(proxy) });
    consumer = await consumeResults(harness.exchange, harness.queue);
  });

  afterAll(async () => {
    await consumer?.close();
    await harness?.stop();
    await proxy?.close();
  });

  test('every verified result arrives exactly once', async () => {
    // One run goes out while RabbitMQ is up, so the publisher is connected when it goes down.
    const first = await streamRun(harness.url, harness.token().token, honest, { clockRate: RATE });
    await consumer.waitFor(1);

    proxy.down();
    const during = await Promise.all(
      [1, 2, 3, 4].map(() =>
        streamRun(harness.url, harness.token().token, honest, { clockRate: RATE }),
      ),
    );
    // Players are told their verdict while the results wait.
    for (const outcome of during) {
      expect(outcome.verdict).toMatchObject({
        verdict: Verdict.VERIFIED,
        reason: VerdictReason.OK,
      });
    }
    const waiting = during.map((outcome) => outcome.start.runId).sort();
    expect(await unsentRunIds(harness.pool)).toEqual(waiting);
    expect(consumer.results).toHaveLength(1);

    proxy.restore();
    await consumer.waitFor(5, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(consumer.results).toHaveLength(5);
    expect([...consumer.messageIds].sort()).toEqual([first.start.runId, ...waiting].sort());
    expect(await unsentRunIds(harness.pool)).toEqual([]);
  });
});

describe('while PostgreSQL is unreachable, judged runs wait to be recorded', () => {
  const RATE = 5;
  let databaseProxy: TcpProxy;
  let harness: Harness;
  let consumer: ResultConsumer;

  beforeAll(async () => {
    databaseProxy = await startTcpProxy(5432);
    harness = await startHarness({
      clock: scaledClock(RATE),
      recordThroughPort: databaseProxy.port,
    });
    consumer = await consumeResults(harness.exchange, harness.queue);
  });

  afterAll(async () => {
    await consumer?.close();
    await harness?.stop();
    await databaseProxy?.close();
  });

  test('the verdict waits for the record, and the result is published once', async () => {
    // The database goes away before the claim and comes back well after the first retries.
    const outageMs = 8_000;
    const started = performance.now();
    const run = streamRun(harness.url, harness.token().token, honest, {
      clockRate: RATE,
      timeoutMs: 30_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    databaseProxy.down();
    setTimeout(() => databaseProxy.restore(), outageMs);
    const outcome = await run;

    expect(performance.now() - started).toBeGreaterThan(outageMs);
    expect(outcome.verdict).toMatchObject({ verdict: Verdict.VERIFIED, reason: VerdictReason.OK });
    const row = await runRow(harness.pool, outcome.start.runId);
    expect(row?.verdict).toBe(Verdict.VERIFIED);
    await consumer.waitFor(1, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect([...consumer.messageIds]).toEqual([outcome.start.runId]);
  });
});

describe('a game-server restart loses no recorded result', () => {
  let proxy: TcpProxy;
  let jwks: { url: string; close(): Promise<void> };
  let backends: Awaited<ReturnType<typeof prepareBackends>>;
  let pool: pg.Pool;
  const signer = createTestSigner();

  beforeAll(async () => {
    proxy = await startTcpProxy(amqpPort);
    jwks = await startJwksServer(signer);
    backends = await prepareBackends();
    pool = new pg.Pool({ connectionString: backends.db.url, max: 2 });
  });

  afterAll(async () => {
    await pool?.end();
    await jwks?.close();
    await proxy?.close();
    await deleteAmqpNames(backends.exchange, backends.queue).catch(() => {});
    await backends?.db.drop();
  });

  function env(): Record<string, string> {
    return {
      DATABASE_URL: backends.db.url,
      AMQP_URL: proxiedAmqpUrl(proxy),
      AUTH_URL: jwks.url,
      // Nothing listens there: rooms use the configured course.
      LEADERBOARD_URL: 'http://127.0.0.1:9',
      COURSE_SEED: String(TEST_SEED),
      SEASON_ID: 'restart-test',
      TEST_COURSE_LENGTH: String(TEST_COURSE_LENGTH),
      RESULTS_EXCHANGE: backends.exchange,
      RESULTS_QUEUE: backends.queue,
      SHUTDOWN_GRACE_SEC: '15',
      SHUTDOWN_FLUSH_SEC: '1',
    };
  }

  function token(): string {
    return signer.sign({ userId: crypto.randomUUID(), username: 'restart' });
  }

  test('a run finishes through a graceful shutdown; every result is published after', async () => {
    proxy.down();
    const first = await startGameProcess(env());
    const url = `ws://127.0.0.1:${first.port}`;

    // One run ends before the signal; the other is running when it comes and finishes in
    // the shutdown grace period.
    const before = await streamRun(url, token(), honest);
    const during = streamRun(url, token(), honest);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // The process counts what it judged and what runs, for Prometheus.
    const metrics = await (await fetch(`http://127.0.0.1:${first.metricsPort}/metrics`)).text();
    expect(metrics).toContain(
      `truerun_runs_judged_total{verdict="${Verdict.VERIFIED}",reason="${VerdictReason.OK}"} 1\n`,
    );
    expect(metrics).toContain('truerun_runs_active 1\n');
    expect(metrics).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    // Players' port does not serve it, and the metrics port serves nothing else.
    expect((await fetch(`http://127.0.0.1:${first.port}/metrics`)).status).toBe(404);
    const other = await fetch(`http://127.0.0.1:${first.metricsPort}/health`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ error: 'not_found' });
    const posted = await fetch(`http://127.0.0.1:${first.metricsPort}/metrics`, { method: 'POST' });
    expect(posted.status).toBe(405);
    expect(await posted.json()).toEqual({ error: 'method_not_allowed' });
    const exitCode = first.stop('SIGTERM');
    // While runs finish, the process says it is not ready for new players.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ready = await fetch(`http://127.0.0.1:${first.port}/ready`);
    expect(ready.status).toBe(503);
    const finished = await during;
    expect(await exitCode).toBe(0);
    expect(
      first.logs.find((entry) => entry.msg === 'results left in the outbox for the next process'),
    ).toMatchObject({ unsent: 2 });

    for (const outcome of [before, finished]) {
      expect(outcome.verdict).toMatchObject({
        verdict: Verdict.VERIFIED,
        reason: VerdictReason.OK,
      });
    }
    const runIds = [before.start.runId, finished.start.runId].sort();
    expect(await unsentRunIds(pool)).toEqual(runIds);

    // RabbitMQ is back and a new process drains what the old one left.
    proxy.restore();
    const consumer = await consumeResults(backends.exchange, backends.queue);
    const second = await startGameProcess(env());
    try {
      await consumer.waitFor(2, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect([...consumer.messageIds].sort()).toEqual(runIds);
      expect(consumer.results.map((result) => result.score)).toEqual([
        honest.claim.score,
        honest.claim.score,
      ]);
      expect(await unsentRunIds(pool)).toEqual([]);
    } finally {
      await consumer.close();
      expect(await second.stop('SIGTERM')).toBe(0);
    }
  });
});
