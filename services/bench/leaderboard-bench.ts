// Leaderboard benchmark: prints figures, asserts nothing, cleans up after itself.
//
// 1. Worker throughput, from the first publish to every rank visible in Redis, for a few
//    batch sizes and worker counts (BENCH_SETUPS, default `1x50,1x200,2x200`; BENCH_RESULTS
//    results each, 30,000 by default, at most 200,000; each run stops after 120 s).
// 2. API throughput and latency for a page of the top 100 and for around-me, with a stand-in
//    player service, at 1 and 16 requests in flight (BENCH_API_SECONDS each, 5 by default, at
//    most 30, at most 100,000 requests).
//
// Everything runs on 127.0.0.1 against the local PostgreSQL, Redis and RabbitMQ, in a
// database, key prefix and queues of its own.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import amqp from 'amqplib';
import express from 'express';
import { RESULT_MESSAGE_VERSION } from '@truerun/shared-sim/protocol';
import type { VerifiedResultMessage } from '@truerun/shared-sim/protocol';
import { LOCAL_DEFAULTS } from '../src/lib/config.ts';
import { createLogger } from '../src/lib/logger.ts';
import { createLeaderboardApp } from '../src/leaderboard/app.ts';
import { PlayerClient } from '../src/leaderboard/player-client.ts';
import { checkSeason, rebuildSeason } from '../src/leaderboard/rebuild.ts';
import { PgResultStore } from '../src/leaderboard/result-store.ts';
import type { Season } from '../src/leaderboard/seasons.ts';
import { declareTopology, deleteTopology } from '../src/leaderboard/topology.ts';
import type { ResultTopology } from '../src/leaderboard/topology.ts';
import { ResultWorker } from '../src/leaderboard/worker.ts';
import { openStores } from '../src/leaderboard/wiring.ts';
import type { LeaderboardStores } from '../src/leaderboard/wiring.ts';
import { createTestDatabase, uniqueName } from '../src/test-support/databases.ts';

const AMQP_URL = process.env.AMQP_URL ?? LOCAL_DEFAULTS.AMQP_URL;
const REDIS_URL = process.env.REDIS_URL ?? LOCAL_DEFAULTS.REDIS_URL;
const RESULTS = Math.min(200_000, Number(process.env.BENCH_RESULTS ?? 30_000));
const API_SECONDS = Math.min(30, Number(process.env.BENCH_API_SECONDS ?? 5));
const API_MAX_REQUESTS = 100_000;
const API_CONCURRENCY = [1, 16];
const MAX_SOCKETS = 16;
const PLAYERS = 20_000;
const RUN_TIMEOUT_MS = 120_000;
const log = createLogger('leaderboard-bench', 'silent');

interface WorkerSetup {
  workers: number;
  batchSize: number;
}

/** Worker setups to run, `<workers>x<batch size>` separated by commas (at most 4 workers). */
const SETUPS: WorkerSetup[] = (process.env.BENCH_SETUPS ?? '1x50,1x200,2x200')
  .split(',')
  .map((setup) => setup.split('x').map(Number))
  .map(([workers = 1, batchSize = 200]) => ({
    workers: Math.min(4, Math.max(1, workers)),
    batchSize: Math.min(1000, Math.max(1, batchSize)),
  }));

const users = Array.from({ length: PLAYERS }, () => randomUUID());

function body(season: Season, i: number): VerifiedResultMessage {
  const startedAtMs = season.startsAtMs + 1_000 * (i % 50_000);
  return {
    v: RESULT_MESSAGE_VERSION,
    runId: randomUUID(),
    userId: users[i % PLAYERS] as string,
    seasonId: season.id,
    ruleset: 1,
    seed: season.seeds[0] as number,
    score: (i * 7919) % 40_000,
    distance: 10_000,
    kills: 5,
    coins: 9,
    ticks: 8_500,
    outcome: 'finished',
    startedAt: new Date(startedAtMs).toISOString(),
    endedAt: new Date(startedAtMs + 140_000).toISOString(),
    finalHash: '0123456789abcdef',
  };
}

async function publishAll(topology: ResultTopology, bodies: VerifiedResultMessage[]) {
  const connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createConfirmChannel();
  for (const message of bodies) {
    const ok = channel.publish(
      topology.exchange,
      topology.routingKey,
      Buffer.from(JSON.stringify(message)),
      { persistent: true, messageId: message.runId, contentType: 'application/json' },
    );
    if (!ok) await new Promise((resolve) => channel.once('drain', resolve));
  }
  await channel.waitForConfirms();
  await connection.close();
}

async function resultCount(stores: LeaderboardStores): Promise<number> {
  const { rows } = await stores.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM leaderboard_results',
  );
  return rows[0]?.n ?? 0;
}

/**
 * One worker run over RESULTS results. `live`: the workers run while the results are
 * published, timed from the first publish to every rank visible in Redis. `prefilled`: the
 * results are queued first, timed from the workers' start, which measures the workers alone.
 */
async function workerRun(
  stores: LeaderboardStores,
  season: Season,
  setup: WorkerSetup,
  mode: 'live' | 'prefilled',
) {
  const base = uniqueName('lbbench');
  const topology: ResultTopology = {
    exchange: `${base}.results`,
    routingKey: 'run.verified',
    queue: `${base}.queue`,
    deadLetterExchange: `${base}.dead-letter`,
    deadLetterQueue: `${base}.queue.dead-letter`,
  };
  await stores.pool.query('TRUNCATE leaderboard_bests, leaderboard_results');
  await stores.index.clear(season.id);
  await stores.index.markReady(season.id);
  const bodies = Array.from({ length: RESULTS }, (_, i) => body(season, i));
  const connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createChannel();
  await declareTopology(channel, topology);

  const workers = Array.from(
    { length: setup.workers },
    () =>
      new ResultWorker({
        amqpUrl: AMQP_URL,
        topology,
        store: new PgResultStore(stores.pool),
        seasons: stores.seasons,
        index: stores.index,
        guard: stores.guard,
        log,
        batchSize: setup.batchSize,
        prefetch: setup.batchSize * 2,
      }),
  );

  let publishSeconds: number;
  let started: number;
  if (mode === 'live') {
    for (const worker of workers) await worker.start();
    started = performance.now();
    await publishAll(topology, bodies);
    publishSeconds = (performance.now() - started) / 1000;
  } else {
    const publishing = performance.now();
    await publishAll(topology, bodies);
    publishSeconds = (performance.now() - publishing) / 1000;
    started = performance.now();
    for (const worker of workers) await worker.start();
  }

  const deadline = Date.now() + RUN_TIMEOUT_MS;
  let visible = false;
  while (Date.now() < deadline) {
    if (
      (await resultCount(stores)) === RESULTS &&
      (await checkSeason(stores.pool, stores.index, season)).equal
    ) {
      visible = true;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;

  await Promise.all(workers.map((worker) => worker.stop()));
  await deleteTopology(channel, topology);
  await connection.close();

  console.log(
    JSON.stringify({
      bench: 'worker',
      mode,
      workers: setup.workers,
      batchSize: setup.batchSize,
      results: RESULTS,
      allVisible: visible,
      publishSeconds: +publishSeconds.toFixed(2),
      untilAllVisibleSeconds: +seconds.toFixed(2),
      resultsPerSecond: Math.round(RESULTS / seconds),
    }),
  );
}

const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });

/** A GET over a kept-alive connection; resolves to the status once the body is read. */
function get(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return +(sorted[Math.max(0, index)] ?? 0).toFixed(2);
}

/** Keeps `concurrency` requests in flight for API_SECONDS and reports the latencies. */
async function apiRun(
  name: string,
  concurrency: number,
  url: (i: number) => string,
  headers: (i: number) => Record<string, string>,
) {
  const latencies: number[] = [];
  const failures = { count: 0 };
  const until = performance.now() + API_SECONDS * 1000;
  let issued = 0;
  const lane = async () => {
    while (performance.now() < until && issued < API_MAX_REQUESTS) {
      const i = issued++;
      const t0 = performance.now();
      const status = await get(url(i), headers(i));
      latencies.push(performance.now() - t0);
      if (status !== 200) failures.count += 1;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      bench: 'api',
      route: name,
      concurrency,
      requests: latencies.length,
      failures: failures.count,
      requestsPerSecond: Math.round(latencies.length / seconds),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: percentile(latencies, 100),
    }),
  );
}

async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function standInPlayerService(): express.Express {
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  app.get('/internal/friends/:userId', (_req, res) => {
    res.json({ userIds: users.slice(0, 50) });
  });
  app.post('/internal/profiles', (req, res) => {
    const ids = (req.body as { userIds: string[] }).userIds;
    res.json({
      profiles: ids.map((userId) => ({
        userId,
        displayName: `P-${userId.slice(0, 6)}`,
        skin: 'blue',
      })),
    });
  });
  return app;
}

async function main(): Promise<void> {
  const db = await createTestDatabase('truerun_lbbench');
  const prefix = `${uniqueName('lbbench')}:`;
  const stores = await openStores(
    { databaseUrl: db.url, redisUrl: REDIS_URL, redisPrefix: prefix },
    log,
  );
  const servers: Server[] = [];
  try {
    const now = Date.now();
    const season = await stores.seasons.create({
      id: 'bench',
      name: 'Bench',
      startsAtMs: now - 24 * 3600 * 1000,
      endsAtMs: now + 6 * 24 * 3600 * 1000,
      seeds: [1],
    });
    console.log(
      JSON.stringify({
        bench: 'setup',
        results: RESULTS,
        players: PLAYERS,
        apiSeconds: API_SECONDS,
        cpus: cpus().length,
        loadAverage1m: +(loadavg()[0] ?? 0).toFixed(2),
      }),
    );
    for (const setup of SETUPS) {
      await workerRun(stores, season, setup, 'live');
      await workerRun(stores, season, setup, 'prefilled');
    }

    const players = await listen(standInPlayerService());
    servers.push(players.server);
    const api = await listen(
      createLeaderboardApp({
        seasons: stores.seasons,
        index: stores.index,
        guard: stores.guard,
        players: new PlayerClient({ baseUrl: players.url }),
        log,
        defaultSeasons: false,
      }),
    );
    servers.push(api.server);
    const ranked = (await stores.index.size(season.id)).ranked;
    const rebuildStarted = performance.now();
    await rebuildSeason(stores.pool, stores.index, season, true);
    const rebuildMs = performance.now() - rebuildStarted;
    const checkStarted = performance.now();
    const report = await checkSeason(stores.pool, stores.index, season);
    const checkMs = performance.now() - checkStarted;
    console.log(
      JSON.stringify({
        bench: 'rebuild',
        players: ranked,
        forceRebuildMs: Math.round(rebuildMs),
        checkMs: Math.round(checkMs),
        equalAfter: report.equal,
      }),
    );
    for (const concurrency of API_CONCURRENCY) {
      await apiRun(
        'top-100',
        concurrency,
        () => `${api.url}/leaderboard/seasons/bench/top?limit=100`,
        () => ({}),
      );
      await apiRun(
        'around-me',
        concurrency,
        () => `${api.url}/leaderboard/seasons/bench/around-me`,
        (i) => ({ 'x-user-id': users[(i * 7) % PLAYERS] as string }),
      );
    }
    console.log(JSON.stringify({ bench: 'done', loadAverage1m: +(loadavg()[0] ?? 0).toFixed(2) }));
  } finally {
    agent.destroy();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await stores.index.clear('bench');
    await stores.close();
    await db.drop();
  }
}

await main();
