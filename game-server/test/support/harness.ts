import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import amqp from 'amqplib';
import type pg from 'pg';
import { createPool, migrate } from '@truerun/services/lib/db';
import { createLogger, type Logger } from '@truerun/services/lib/logger';
import { createTokenVerifier } from '@truerun/services/token-verifier';
import { createTestDatabase, uniqueName } from '@truerun/services/test-support/databases';
import type { TestDatabase } from '@truerun/services/test-support/databases';
import { createTestSigner } from '@truerun/services/test-support/tokens';
import type { TestSigner } from '@truerun/services/test-support/tokens';
import {
  VERIFIED_ROUTING_KEY,
  declareResultTopology,
  resultTopology,
} from '@truerun/shared-sim/protocol';
import type { VerifiedResultMessage } from '@truerun/shared-sim/protocol';
import { realClock } from '../../src/clock.ts';
import type { RunClock } from '../../src/clock.ts';
import { MIGRATIONS_DIR, MIGRATIONS_TABLE } from '../../src/migrations.ts';
import { ResultPublisher } from '../../src/result-publisher.ts';
import { DEFAULT_RUN_LIMITS } from '../../src/run-session.ts';
import type { RunLimits } from '../../src/run-session.ts';
import { PgRunStore } from '../../src/run-store.ts';
import { createSeasonSource } from '../../src/season-source.ts';
import type { SeasonSource } from '../../src/season-source.ts';
import { authSessionLiveness } from '../../src/session-liveness.ts';
import { startGameServer } from '../../src/server.ts';
import type { GameServer } from '../../src/server.ts';

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Short enough that an honest bot finishes seed 1 in about 10 s of real time. */
export const TEST_COURSE_LENGTH = 2_400;
export const TEST_SEED = 1;
export const TEST_SEASON = 'test-season';

export interface HarnessOptions {
  limits?: Partial<RunLimits>;
  /** Course seed of every room. Default `TEST_SEED`. */
  seed?: number;
  clock?: RunClock;
  reconnectGraceSec?: number;
  shutdownGraceMs?: number;
  /** Where the publisher connects; a proxy in the delivery tests. */
  amqpUrl?: string;
  /** Where rooms learn their course. Default: the configured test season, with no reset. */
  seasons?: SeasonSource;
  /** Rooms record runs through this local port (a proxy to PostgreSQL) instead of directly. */
  recordThroughPort?: number;
}

/** A game server on port 0 with its own database, exchange and queue, and a token signer. */
export interface Harness {
  port: number;
  url: string;
  db: TestDatabase;
  pool: pg.Pool;
  signer: TestSigner;
  publisher: ResultPublisher;
  exchange: string;
  queue: string;
  log: Logger;
  token(username?: string): { token: string; userId: string; sessionId: string };
  /** Marks a session as logged out at the stand-in auth service. */
  revokeSession(sessionId: string): void;
  stop(): Promise<void>;
}

export function testLogger(name: string): Logger {
  return createLogger(name, process.env.TEST_LOG_LEVEL ?? 'silent');
}

/** Creates the database and names a game server needs, without starting one. */
export async function prepareBackends() {
  const log = testLogger('game-server-test');
  const db = await createTestDatabase('game_server_test');
  await migrate(db.url, MIGRATIONS_DIR, MIGRATIONS_TABLE, log);
  return { log, db, exchange: uniqueName('gs-results'), queue: uniqueName('gs-verified') };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const { log, db, exchange, queue } = await prepareBackends();
  const pool = createPool(db.url);
  const publisher = new ResultPublisher({
    pool,
    amqpUrl: options.amqpUrl ?? AMQP_URL,
    exchange,
    routingKey: VERIFIED_ROUTING_KEY,
    queue,
    log,
    pollIntervalMs: 200,
    minBackoffMs: 100,
    maxBackoffMs: 800,
  });
  let recordPool: pg.Pool | null = null;
  if (options.recordThroughPort !== undefined) {
    const proxied = new URL(db.url);
    proxied.port = String(options.recordThroughPort);
    recordPool = createPool(proxied.toString());
  }
  const store = new PgRunStore(recordPool ?? pool, () => publisher.wake());
  const signer = createTestSigner();
  const auth = await startSessionStandIn();
  publisher.start();

  let server: GameServer;
  try {
    server = await startGameServer(
      {
        log,
        readiness: { ready: async () => (await pool.query('SELECT 1')).rowCount === 1 },
        room: {
          verifier: createTokenVerifier({ keys: { keys: signer.keys } }),
          sessions: authSessionLiveness(auth.url),
          seasons:
            options.seasons ??
            createSeasonSource({
              leaderboardUrl: null,
              fallback: { seasonId: TEST_SEASON, seed: options.seed ?? TEST_SEED },
              log,
            }),
          store,
          clock: options.clock ?? realClock,
          limits: { ...DEFAULT_RUN_LIMITS, ...options.limits },
          courseLength: TEST_COURSE_LENGTH,
          reconnectGraceSec: options.reconnectGraceSec ?? 8,
          shutdownGraceMs: options.shutdownGraceMs ?? 2_000,
          log,
        },
      },
      0,
      '127.0.0.1',
    );
  } catch (err) {
    await auth.close();
    await publisher.stop(0);
    await pool.end();
    await recordPool?.end();
    await db.drop();
    throw err;
  }

  return {
    port: server.port,
    url: `ws://127.0.0.1:${server.port}`,
    db,
    pool,
    signer,
    publisher,
    exchange,
    queue,
    log,
    token(username = 'runner') {
      const userId = crypto.randomUUID();
      const sessionId = crypto.randomUUID();
      return { token: signer.sign({ userId, username, sessionId }), userId, sessionId };
    },
    revokeSession(sessionId) {
      auth.revoked.add(sessionId);
    },
    async stop() {
      await server.stopRooms();
      await auth.close();
      await publisher.stop(1_000);
      await pool.end();
      await recordPool?.end();
      await deleteAmqpNames(exchange, queue);
      await db.drop();
    },
  };
}

/** Removes a test's exchange and queue from the shared RabbitMQ. */
export async function deleteAmqpNames(exchange: string, queue: string): Promise<void> {
  const connection = await amqp.connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    const topology = resultTopology(exchange, queue);
    await channel.deleteQueue(topology.queue);
    await channel.deleteQueue(topology.deadLetterQueue);
    await channel.deleteExchange(topology.exchange);
    await channel.deleteExchange(topology.deadLetterExchange);
  } finally {
    await connection.close();
  }
}

/** Collects every message on a queue, acknowledging each. */
export interface ResultConsumer {
  readonly results: VerifiedResultMessage[];
  readonly messageIds: string[];
  /** Waits until at least `count` messages arrived, or throws after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function consumeResults(exchange: string, queue: string): Promise<ResultConsumer> {
  const connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createChannel();
  await declareResultTopology(channel, resultTopology(exchange, queue, VERIFIED_ROUTING_KEY));
  const results: VerifiedResultMessage[] = [];
  const messageIds: string[] = [];
  await channel.consume(queue, (message) => {
    if (!message) return;
    results.push(JSON.parse(message.content.toString()) as VerifiedResultMessage);
    messageIds.push(String(message.properties.messageId));
    channel.ack(message);
  });
  return {
    results,
    messageIds,
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (results.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} results, got ${results.length}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await connection.close();
    },
  };
}

/** A recorded run as the `runs` table has it. */
export interface RunRow {
  run_id: string;
  user_id: string;
  verdict: string;
  reason: string;
  ticks: number;
  score: number;
  outcome: string;
  final_hash: string;
  diverged_tick: number | null;
  inputs: Buffer;
}

export async function runRow(pool: pg.Pool, runId: string): Promise<RunRow | undefined> {
  const { rows } = await pool.query<RunRow>('SELECT * FROM runs WHERE run_id = $1', [runId]);
  return rows[0];
}

/** Waits for a run's record, which for an abandoned run comes after the grace period. */
export async function waitForRow(
  pool: pg.Pool,
  runId: string,
  timeoutMs = 15_000,
): Promise<RunRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await runRow(pool, runId);
    if (row) return row;
    if (Date.now() > deadline) throw new Error(`run ${runId} was not recorded`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A stand-in for the auth service's session route, on port 0: every session is active until
 * the test revokes it.
 */
async function startSessionStandIn() {
  const revoked = new Set<string>();
  const server = createServer((req, res) => {
    const match = /^\/internal\/sessions\/([^/]+)$/.exec(req.url ?? '');
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const sessionId = decodeURIComponent(match[1]!);
    const status = revoked.has(sessionId) ? 'revoked' : 'active';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sessionId, status }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    revoked,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
