import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createTestDatabase, uniqueName } from '@truerun/services/test-support/databases';
import type { TestDatabase } from '@truerun/services/test-support/databases';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** A deployable of the system: its entry file and the path that answers once it listens. */
interface Deployable {
  name: string;
  entry: string;
  portVariable: string;
  probe: string;
}

/** In start order: each one's dependencies come before it. */
const DEPLOYABLES: readonly Deployable[] = [
  { name: 'player', entry: 'services/src/player/main.ts', portVariable: 'PLAYER_PORT', probe: '/' },
  {
    name: 'auth',
    entry: 'services/src/auth/main.ts',
    portVariable: 'AUTH_PORT',
    probe: '/auth/health',
  },
  {
    name: 'leaderboard',
    entry: 'services/src/leaderboard/main.ts',
    portVariable: 'LEADERBOARD_PORT',
    probe: '/leaderboard/health',
  },
  {
    name: 'gateway',
    entry: 'services/src/gateway/main.ts',
    portVariable: 'GATEWAY_PORT',
    probe: '/',
  },
  {
    name: 'game-server',
    entry: 'game-server/src/main.ts',
    portVariable: 'GAME_SERVER_PORT',
    probe: '/health',
  },
];

/** The backend, running as child processes against its own database, keys and names. */
export interface LocalSystem {
  gatewayUrl: string;
  gameServerUrl: string;
  /** The last lines every deployable printed, for a failing test's report. */
  logs: string[];
  stop(): Promise<void>;
}

/**
 * Starts every backend deployable from its `main.ts`, each on a free port of 127.0.0.1, with
 * a fresh PostgreSQL database, a RabbitMQ vhost and Redis prefixes of its own, so the run
 * never meets another test's data. `clientOrigin` is the page's origin, allowed by the
 * gateway's CORS. Throws (after stopping what started) if a deployable does not come up.
 */
export async function startLocalSystem(clientOrigin: string): Promise<LocalSystem> {
  const logs: string[] = [];
  const children: ChildProcess[] = [];
  const ports = new Map<string, number>();
  for (const d of DEPLOYABLES) ports.set(d.name, await freePort());
  const url = (name: string) => `http://127.0.0.1:${ports.get(name)}`;

  const vhost = uniqueName('truerun-client-e2e');
  const keyPrefix = `${uniqueName('truerun-client-e2e')}:`;
  const dataDir = await mkdtemp(join(tmpdir(), 'truerun-e2e-auth-'));
  let database: TestDatabase | null = null;

  const stop = async () => {
    for (const child of children.reverse()) await terminate(child);
    await database?.drop().catch(() => undefined);
    await deleteKeys(keyPrefix).catch(() => undefined);
    rabbitmqctl(['delete_vhost', vhost]);
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    database = await createTestDatabase('truerun_client_e2e');
    rabbitmqctl(['add_vhost', vhost]);
    rabbitmqctl(['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);

    const env: Record<string, string> = {
      DATABASE_URL: database.url,
      AMQP_URL: `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(vhost)}`,
      REDIS_KEY_PREFIX: keyPrefix,
      LEADERBOARD_REDIS_PREFIX: `${keyPrefix}lb:`,
      AUTH_DATA_DIR: dataDir,
      AUTH_URL: url('auth'),
      PLAYER_URL: url('player'),
      LEADERBOARD_URL: url('leaderboard'),
      CORS_ORIGINS: clientOrigin,
      SHUTDOWN_GRACE_SEC: '2',
      SHUTDOWN_FLUSH_SEC: '2',
      LOG_LEVEL: 'warn',
    };
    for (const d of DEPLOYABLES) env[d.portVariable] = String(ports.get(d.name));

    for (const d of DEPLOYABLES) {
      const child = spawn(process.execPath, [join(ROOT, d.entry)], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      keepLines(child, d.name, logs);
      await waitListening(d, url(d.name) + d.probe, child, logs);
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    gatewayUrl: url('gateway'),
    gameServerUrl: `ws://127.0.0.1:${ports.get('game-server')}`,
    logs,
    stop,
  };
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Deletes every Redis key under `prefix`. */
async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: 1,
  });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

function rabbitmqctl(args: string[]): void {
  const result = spawnSync('rabbitmqctl', args, { timeout: 30_000, encoding: 'utf8' });
  if (result.status !== 0 && args[0] !== 'delete_vhost') {
    throw new Error(`rabbitmqctl ${args[0]} failed: ${result.stderr || result.stdout}`);
  }
}

function keepLines(child: ChildProcess, name: string, logs: string[]): void {
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (!line) continue;
        logs.push(`[${name}] ${line}`);
        if (logs.length > 400) logs.shift();
      }
    });
  }
}

// Any HTTP answer means the process listens; it starts listening after migrating.
async function waitListening(
  d: Deployable,
  probe: string,
  child: ChildProcess,
  logs: string[],
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `${d.name} exited with code ${child.exitCode}:\n${logs.slice(-20).join('\n')}`,
      );
    }
    const answered = await fetch(probe, { signal: AbortSignal.timeout(1_000) })
      .then(() => true)
      .catch(() => false);
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${d.name} did not listen within 60 s:\n${logs.slice(-20).join('\n')}`);
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
