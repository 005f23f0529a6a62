/**
 * Gateway benchmark: throughput and latency of an authenticated read (`GET /player/me`) passed
 * through the gateway to the player service, the same read sent straight to the service, and
 * the cost per request of token verification and of the session check.
 *
 * The gateway, auth and player services run as their own processes (their real `main.ts`)
 * against a throwaway database and Redis key prefix; this process is the client. Client,
 * services, PostgreSQL and Redis share this machine's cores, so the figures are a floor.
 * Settings: BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 32).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createSessionCache } from '../src/auth/session-cache.ts';
import { generateSigningKey } from '../src/auth/keys.ts';
import { createAccessTokenSigner } from '../src/auth/tokens.ts';
import { createTokenVerifier } from '../src/lib/token-verifier.ts';
import { createTestDatabase, uniqueName } from '../src/test-support/databases.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const VERIFICATIONS = 5_000;
const SRC = fileURLToPath(new URL('../src/', import.meta.url));

interface LoadResult {
  requests: number;
  /** CPU time the gateway and player processes spent per request, in milliseconds. */
  gatewayCpuMs?: number;
  playerCpuMs?: number;
  failures: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

/** Keeps `CONNECTIONS` requests in flight for `SECONDS`, each connection one at a time. */
async function load(url: string, headers: Record<string, string>): Promise<LoadResult> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let failures = 0;
  const deadline = performance.now() + SECONDS * 1000;

  const once = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const options = { host: target.hostname, port: target.port, path: target.pathname };
      const req = request({ ...options, agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - started : -1));
      });
      req.on('error', reject);
      req.end();
    });

  const worker = async () => {
    while (performance.now() < deadline) {
      const ms = await once();
      if (ms < 0) failures += 1;
      else latencies.push(ms);
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const elapsedSec = (performance.now() - began) / 1000;
  agent.destroy();

  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length + failures,
    failures,
    perSecond: Math.round(latencies.length / elapsedSec),
    p50Ms: Number(percentile(latencies, 0.5).toFixed(2)),
    p99Ms: Number(percentile(latencies, 0.99).toFixed(2)),
  };
}

/** CPU time a process has used so far, in milliseconds, from Linux's /proc (0 elsewhere). */
async function cpuMs(pid: number | undefined): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return 0;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10;
}

/** Runs a load and adds the CPU the gateway and player processes spent per request. */
async function loadWithCpu(url: string, headers: Record<string, string>): Promise<LoadResult> {
  const [gateway, player] = [children[2]?.pid, children[0]?.pid];
  const before = [await cpuMs(gateway), await cpuMs(player)];
  const result = await load(url, headers);
  const after = [await cpuMs(gateway), await cpuMs(player)];
  const perRequest = (i: number) => Number(((after[i]! - before[i]!) / result.requests).toFixed(3));
  return { ...result, gatewayCpuMs: perRequest(0), playerCpuMs: perRequest(1) };
}

async function microsPerCall(count: number, work: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i += 1) await work();
  const started = performance.now();
  for (let i = 0; i < count; i += 1) await work();
  return ((performance.now() - started) * 1000) / count;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a service's main and resolves once its port accepts connections (bounded to 20 s). */
async function startService(entry: string, env: Record<string, string>, port: number) {
  const child = spawn(process.execPath, [join(SRC, entry)], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  const deadline = Date.now() + 20_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${entry} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function postJson(url: string, body: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, any>;
}

/** Token verification and the session cache read, measured in this process. */
async function measureChecks(redisPrefix: string) {
  const key = generateSigningKey();
  const token = createAccessTokenSigner(key).sign({
    userId: '00000000-0000-4000-8000-000000000001',
    username: 'bench_runner',
    sessionId: '00000000-0000-4000-8000-000000000002',
  }).token;
  const verifier = createTokenVerifier({ keys: { keys: new Map([[key.kid, key.publicKey]]) } });
  const verifyUs = await microsPerCall(VERIFICATIONS, () => verifier.verify(token));

  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  const cache = createSessionCache(redis, redisPrefix, 660);
  await cache.markActive('bench-session', 600);
  const sessionUs = await microsPerCall(VERIFICATIONS, () => cache.get('bench-session'));
  await redis.quit();
  return { verifyUs, sessionUs };
}

const database = await createTestDatabase('truerun_bench');
const redisPrefix = `${uniqueName('truerun-bench')}:`;
const children: ChildProcess[] = [];
const dataDir = join(tmpdir(), redisPrefix.slice(0, -1));
try {
  const [gatewayPort, authPort, playerPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const env = {
    DATABASE_URL: database.url,
    REDIS_KEY_PREFIX: redisPrefix,
    GATEWAY_PORT: String(gatewayPort),
    AUTH_PORT: String(authPort),
    PLAYER_PORT: String(playerPort),
    AUTH_URL: `http://127.0.0.1:${authPort}`,
    PLAYER_URL: `http://127.0.0.1:${playerPort}`,
    AUTH_DATA_DIR: dataDir,
    RATE_LIMIT_IP_POINTS: '100000000',
    RATE_LIMIT_USER_POINTS: '100000000',
  };
  await startService('player/main.ts', env, playerPort);
  await startService('auth/main.ts', env, authPort);
  await startService('gateway/main.ts', env, gatewayPort);

  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const registered = await postJson(`${gatewayUrl}/auth/register`, {
    username: 'bench_runner',
    password: 'correct horse battery',
  });
  const { accessToken, account } = registered;

  const viaGateway = await loadWithCpu(`${gatewayUrl}/player/me`, {
    authorization: `Bearer ${accessToken}`,
  });
  const direct = await loadWithCpu(`http://127.0.0.1:${playerPort}/player/me`, {
    'x-user-id': account.id,
    'x-username': account.username,
  });
  const { verifyUs, sessionUs } = await measureChecks(redisPrefix);

  console.log(
    `gateway benchmark: GET /player/me, ${SECONDS} s per run, ${CONNECTIONS} connections`,
  );
  console.table({ 'through gateway': viaGateway, 'player service direct': direct });
  console.log(`token verification (ES256, pinned claims): ${verifyUs.toFixed(1)} µs per request`);
  console.log(`session check (Redis GET, cache hit):      ${sessionUs.toFixed(1)} µs per request`);
} finally {
  const running = children.filter((child) => child.exitCode === null);
  const exited = running.map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of running) child.kill('SIGTERM');
  await Promise.all(exited);
  await rm(dataDir, { recursive: true, force: true });
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  const keys = await redis.keys(`${redisPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await database.drop();
}
