import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import type { ChannelModel, ConfirmChannel, GetMessage } from 'amqplib';
import { RESULT_MESSAGE_VERSION } from '@truerun/shared-sim/protocol';
import type { VerifiedResultMessage } from '@truerun/shared-sim/protocol';
import { createLogger } from '../src/lib/logger.ts';
import { compareRuns } from '../src/leaderboard/rank-order.ts';
import { checkSeason } from '../src/leaderboard/rebuild.ts';
import type { CheckReport } from '../src/leaderboard/rebuild.ts';
import { readRankedBests } from '../src/leaderboard/result-store.ts';
import { PgResultStore } from '../src/leaderboard/result-store.ts';
import type { ResultStore, SeasonBest } from '../src/leaderboard/result-store.ts';
import type { Season } from '../src/leaderboard/seasons.ts';
import { declareTopology, deleteTopology } from '../src/leaderboard/topology.ts';
import type { ResultTopology } from '../src/leaderboard/topology.ts';
import { ResultWorker } from '../src/leaderboard/worker.ts';
import type { ResultWorkerOptions } from '../src/leaderboard/worker.ts';
import { openStores } from '../src/leaderboard/wiring.ts';
import type { LeaderboardStores } from '../src/leaderboard/wiring.ts';
import { LOCAL_DEFAULTS } from '../src/lib/config.ts';
import { createTestDatabase, uniqueName } from '../src/test-support/databases.ts';
import type { TestDatabase } from '../src/test-support/databases.ts';

export const AMQP_URL = process.env.AMQP_URL ?? LOCAL_DEFAULTS.AMQP_URL;
export const REDIS_URL = process.env.REDIS_URL ?? LOCAL_DEFAULTS.REDIS_URL;
export const silentLog = createLogger('leaderboard-test', 'silent');

/** A season that started a day ago and lasts a week, with three seeds. */
export function testSeason(id = 'test-season', nowMs = Date.now()): Season {
  const startsAtMs = nowMs - 24 * 3600 * 1000;
  return {
    id,
    name: `Season ${id}`,
    startsAtMs,
    endsAtMs: startsAtMs + 7 * 24 * 3600 * 1000,
    seeds: [11, 22, 33],
  };
}

/** Creates a season running now and the week before it, both with their index marked ready. */
export async function currentAndPastSeasons(h: Harness, name: string): Promise<[Season, Season]> {
  const now = Date.now();
  const current = await h.stores.seasons.create(testSeason(`${name}-now`, now));
  const past = await h.stores.seasons.create({
    ...testSeason(`${name}-past`, now),
    startsAtMs: current.startsAtMs - 7 * 24 * 3600 * 1000,
    endsAtMs: current.startsAtMs,
  });
  await h.stores.index.markReady(current.id);
  await h.stores.index.markReady(past.id);
  return [current, past];
}

/** A verified-result body; the run id is fresh unless given. */
export function resultBody(
  season: Season,
  fields: Partial<VerifiedResultMessage> & { userId: string; score: number; startedAtMs?: number },
): VerifiedResultMessage {
  const startedAtMs = fields.startedAtMs ?? season.startsAtMs + 60_000;
  const { startedAtMs: _ignored, ...rest } = fields;
  return {
    v: RESULT_MESSAGE_VERSION,
    runId: randomUUID(),
    seasonId: season.id,
    ruleset: 1,
    seed: season.seeds[0] as number,
    distance: 1234.5,
    kills: 3,
    coins: 7,
    ticks: 8500,
    outcome: 'finished',
    startedAt: new Date(startedAtMs).toISOString(),
    endedAt: new Date(startedAtMs + 140_000).toISOString(),
    finalHash: '0123456789abcdef',
    ...rest,
  };
}

/** The bests the tie rule gives for these bodies, in rank order. */
export function expectedBoard(bodies: readonly VerifiedResultMessage[]): SeasonBest[] {
  const best = new Map<string, SeasonBest>();
  for (const body of bodies) {
    const run: SeasonBest = {
      seasonId: body.seasonId,
      userId: body.userId,
      runId: body.runId,
      score: body.score,
      startedAtMs: Date.parse(body.startedAt),
    };
    const current = best.get(body.userId);
    if (!current || compareRuns(run, current) < 0) best.set(body.userId, run);
  }
  return [...best.values()].sort(compareRuns);
}

/** One test file's world: its own database, Redis prefix, exchanges and queues. */
export class Harness {
  readonly db: TestDatabase;
  readonly stores: LeaderboardStores;
  readonly topology: ResultTopology;
  readonly prefix: string;
  private readonly connection: ChannelModel;
  readonly channel: ConfirmChannel;
  private readonly workers: ResultWorker[] = [];

  private constructor(
    db: TestDatabase,
    stores: LeaderboardStores,
    topology: ResultTopology,
    prefix: string,
    connection: ChannelModel,
    channel: ConfirmChannel,
  ) {
    this.db = db;
    this.stores = stores;
    this.topology = topology;
    this.prefix = prefix;
    this.connection = connection;
    this.channel = channel;
  }

  static async open(name: string): Promise<Harness> {
    const db = await createTestDatabase('truerun_lb');
    const prefix = `${uniqueName(`lbtest-${name}`)}:`;
    const stores = await openStores(
      { databaseUrl: db.url, redisUrl: REDIS_URL, redisPrefix: prefix },
      silentLog,
    );
    const base = uniqueName(`lbtest-${name}`);
    const topology: ResultTopology = {
      exchange: `${base}.results`,
      routingKey: 'run.verified',
      queue: `${base}.queue`,
      deadLetterExchange: `${base}.dead-letter`,
      deadLetterQueue: `${base}.queue.dead-letter`,
    };
    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createConfirmChannel();
    await declareTopology(channel, topology);
    return new Harness(db, stores, topology, prefix, connection, channel);
  }

  /** Publishes bodies (objects as JSON, buffers as given) and waits for the broker's confirms. */
  async publish(
    bodies: readonly (VerifiedResultMessage | Buffer)[],
    messageId?: (body: VerifiedResultMessage | Buffer) => string | undefined,
  ): Promise<void> {
    for (const body of bodies) {
      const content = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
      const id = messageId ? messageId(body) : Buffer.isBuffer(body) ? undefined : body.runId;
      this.channel.publish(this.topology.exchange, this.topology.routingKey, content, {
        persistent: true,
        contentType: 'application/json',
        messageId: id,
      });
    }
    await this.channel.waitForConfirms();
  }

  /** Starts a worker in this process on the file's topology. */
  async startWorker(
    options: Partial<ResultWorkerOptions> & { store?: ResultStore } = {},
  ): Promise<ResultWorker> {
    const worker = new ResultWorker({
      amqpUrl: AMQP_URL,
      topology: this.topology,
      store: options.store ?? new PgResultStore(this.stores.pool),
      seasons: this.stores.seasons,
      index: this.stores.index,
      guard: this.stores.guard,
      log: silentLog,
      batchSize: 50,
      lingerMs: 5,
      retryDelayMs: { first: 20, max: 200 },
      ...options,
    });
    await worker.start();
    this.workers.push(worker);
    return worker;
  }

  async resultCount(): Promise<number> {
    const { rows } = await this.stores.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM leaderboard_results',
    );
    return Number(rows[0]?.n);
  }

  async queueDepth(): Promise<number> {
    return (await this.channel.checkQueue(this.topology.queue)).messageCount;
  }

  /** Takes every message from the dead-letter queue. */
  async drainDeadLetters(): Promise<GetMessage[]> {
    const taken: GetMessage[] = [];
    for (let i = 0; i < 10_000; i += 1) {
      const msg = await this.channel.get(this.topology.deadLetterQueue, { noAck: true });
      if (!msg) break;
      taken.push(msg);
    }
    return taken;
  }

  /** PostgreSQL's board and Redis's board of a season, both in rank order. */
  async boards(season: Season): Promise<{ postgres: SeasonBest[]; redis: SeasonBest[] }> {
    const postgres = await readRankedBests(this.stores.pool, season.id, 100_000);
    const page = await this.stores.index.top(season, null, 100_000);
    const redis = (page?.entries ?? []).map((entry) => ({
      seasonId: season.id,
      userId: entry.userId,
      runId: entry.runId,
      score: entry.score,
      startedAtMs: entry.startedAtMs,
    }));
    return { postgres, redis };
  }

  check(season: Season): Promise<CheckReport> {
    return checkSeason(this.stores.pool, this.stores.index, season);
  }

  /** Waits until every distinct run is recorded and Redis equals PostgreSQL for the season. */
  async settled(season: Season, runs: number, timeoutMs = 20_000): Promise<void> {
    await waitFor(
      async () => (await this.resultCount()) === runs && (await this.check(season)).equal,
      timeoutMs,
      `${runs} results ranked in season ${season.id}`,
    );
  }

  /** Deletes every Redis key of this file. */
  async deleteRedisKeys(): Promise<number> {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.stores.redis.scan(
        cursor,
        'MATCH',
        `${this.prefix}*`,
        'COUNT',
        500,
      );
      cursor = next;
      if (keys.length > 0) deleted += await this.stores.redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((worker) => worker.stop()));
  }

  async close(): Promise<void> {
    await this.stopWorkers();
    await deleteTopology(this.channel, this.topology).catch(() => undefined);
    await this.connection.close().catch(() => undefined);
    await this.deleteRedisKeys();
    await this.stores.close();
    await this.db.drop();
  }
}

/** Polls `condition` every 25 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
