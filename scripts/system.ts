import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  createTestDatabase,
  deleteRedisKeys,
  uniqueName,
} from '@truerun/services/test-support/databases';

const ROOT = join(import.meta.dirname, '..');

/** Ports of the deployables; 0 is not allowed here because the pieces must find each other. */
export interface Ports {
  gateway: number;
  auth: number;
  player: number;
  leaderboard: number;
  gameServer: number;
  /** The game server's Prometheus `/metrics`, kept off the port players reach. */
  gameServerMetrics: number;
  client: number;
}

export const DEFAULT_PORTS: Ports = {
  gateway: 8080,
  auth: 8081,
  player: 8082,
  leaderboard: 8083,
  gameServer: 2567,
  gameServerMetrics: 9567,
  client: 3000,
};

export interface SystemOptions {
  /** Ports to use; `'free'` takes ports nothing listens on. Defaults to `DEFAULT_PORTS`. */
  ports?: Partial<Ports> | 'free';
  /** Database for every service; created when missing. Ignored when `isolated`. */
  databaseUrl?: string;
  /**
   * Run against names of its own: a fresh database, a RabbitMQ vhost, Redis key prefixes and
   * a signing-key folder, all removed by `stop()`. Tests and load runs use this so they never
   * share queues or boards with another system on the same servers.
   */
  isolated?: boolean;
  /** Extra environment for every deployable. */
  env?: Record<string, string>;
  /** Receives every line the deployables print, prefixed with their name. */
  log?: (line: string) => void;
  /** Skip the client's static server (tests that drive the APIs only). */
  withoutClient?: boolean;
}

export interface System {
  ports: Ports;
  urls: { gateway: string; gameServer: string; client: string };
  /** Process id of each running deployable, by name. */
  pids: Record<string, number>;
  /** The last 400 lines the deployables printed, for a failing test's report. */
  logs: string[];
  /** Stops every deployable in reverse start order, each with SIGTERM, then SIGKILL after 30 s. */
  stop(): Promise<void>;
}

interface Deployable {
  name: string;
  entry: string;
  /** Health URL to wait for; none for workers without an HTTP port. */
  health?: string;
  env: Record<string, string>;
}

function deployables(ports: Ports, withoutClient: boolean): Deployable[] {
  const local = (port: number) => `http://127.0.0.1:${port}`;
  const shared = {
    AUTH_URL: local(ports.auth),
    PLAYER_URL: local(ports.player),
    LEADERBOARD_URL: local(ports.leaderboard),
    // The page may be opened under either loopback name; the shell's value wins.
    CORS_ORIGINS:
      process.env.CORS_ORIGINS ??
      `http://localhost:${ports.client},http://127.0.0.1:${ports.client}`,
  };
  const list: Deployable[] = [
    {
      name: 'auth',
      entry: 'services/src/auth/main.ts',
      health: `${local(ports.auth)}/health`,
      env: { ...shared, AUTH_PORT: String(ports.auth) },
    },
    {
      name: 'player',
      entry: 'services/src/player/main.ts',
      health: `${local(ports.player)}/health`,
      env: { ...shared, PLAYER_PORT: String(ports.player) },
    },
    {
      // The API and the result worker in one process (LEADERBOARD_ROLE=all).
      name: 'leaderboard',
      entry: 'services/src/leaderboard/main.ts',
      health: `${local(ports.leaderboard)}/health`,
      env: { ...shared, LEADERBOARD_PORT: String(ports.leaderboard) },
    },
    {
      name: 'gateway',
      entry: 'services/src/gateway/main.ts',
      health: `${local(ports.gateway)}/health`,
      env: { ...shared, GATEWAY_PORT: String(ports.gateway) },
    },
    {
      name: 'game-server',
      entry: 'game-server/src/main.ts',
      health: `${local(ports.gameServer)}/health`,
      env: {
        ...shared,
        GAME_SERVER_PORT: String(ports.gameServer),
        METRICS_PORT: String(ports.gameServerMetrics),
      },
    },
  ];
  if (!withoutClient) {
    list.push({
      name: 'client',
      entry: 'client/scripts/serve.ts',
      health: `http://127.0.0.1:${ports.client}/`,
      env: {
        PORT: String(ports.client),
        GATEWAY_URL: local(ports.gateway),
        GAME_SERVER_URL: `ws://127.0.0.1:${ports.gameServer}`,
      },
    });
  }
  return list.filter((d) => existsSync(join(ROOT, d.entry)));
}

/** Creates the database named in `url` if it does not exist yet. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unusable database name ${name}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}

/**
 * Starts every deployable that exists in the tree, in dependency order, each as its own Node
 * process, and waits until each answers its health check. On failure, stops what started.
 */
export async function startSystem(options: SystemOptions = {}): Promise<System> {
  const ports =
    options.ports === 'free' ? await freePorts() : { ...DEFAULT_PORTS, ...(options.ports ?? {}) };
  await ensurePortsFree(ports);
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const logs: string[] = [];
  const isolation = options.isolated ? await isolate() : null;
  const databaseUrl =
    isolation?.databaseUrl ?? options.databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/truerun';

  const children: { name: string; child: ChildProcess }[] = [];
  const stop = async () => {
    for (const { child } of children.reverse()) await terminate(child);
    await isolation?.remove();
  };
  try {
    if (!isolation) await ensureDatabase(databaseUrl);
    for (const d of deployables(ports, options.withoutClient ?? false)) {
      const child = spawn(process.execPath, [join(ROOT, d.entry)], {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          ...isolation?.env,
          ...d.env,
          ...options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push({ name: d.name, child });
      pipeLines(child, d.name, (line) => {
        logs.push(line);
        if (logs.length > 400) logs.shift();
        log(line);
      });
      if (d.health) await waitHealthy(d.name, d.health, child, logs);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    ports,
    urls: {
      gateway: `http://127.0.0.1:${ports.gateway}`,
      gameServer: `ws://127.0.0.1:${ports.gameServer}`,
      client: `http://localhost:${ports.client}`,
    },
    pids: Object.fromEntries(children.map(({ name, child }) => [name, child.pid ?? 0])),
    logs,
    stop,
  };
}

interface Isolation {
  databaseUrl: string;
  env: Record<string, string>;
  remove(): Promise<void>;
}

/** Creates the names an isolated system runs against. */
async function isolate(): Promise<Isolation> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const vhost = uniqueName('truerun-system');
  const keyPrefix = `${uniqueName('truerun-system')}:`;
  const keyDir = await mkdtemp(join(tmpdir(), 'truerun-auth-keys-'));
  const database = await createTestDatabase('truerun_system');
  rabbitmqctl(['add_vhost', vhost]);
  rabbitmqctl(['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);
  return {
    databaseUrl: database.url,
    env: {
      AMQP_URL: `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(vhost)}`,
      REDIS_KEY_PREFIX: keyPrefix,
      LEADERBOARD_REDIS_PREFIX: `${keyPrefix}lb:`,
      AUTH_DATA_DIR: keyDir,
    },
    async remove() {
      await database.drop().catch(() => undefined);
      await deleteRedisKeys(redisUrl, keyPrefix).catch(() => undefined);
      rabbitmqctl(['delete_vhost', vhost], false);
      await rm(keyDir, { recursive: true, force: true });
    },
  };
}

function rabbitmqctl(args: string[], required = true): void {
  const result = spawnSync('rabbitmqctl', args, { timeout: 30_000, encoding: 'utf8' });
  if (result.status !== 0 && required) {
    throw new Error(`rabbitmqctl ${args[0]} failed: ${result.stderr || result.stdout}`);
  }
}

/**
 * Fails, naming the port and its deployable, when something already listens on one of the
 * ports: another system may answer the health checks and pass for this one.
 */
async function ensurePortsFree(ports: Ports): Promise<void> {
  for (const [name, port] of Object.entries(ports)) {
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          new Error(
            err.code === 'EADDRINUSE'
              ? `port ${port} (${name}) is already in use: stop what listens there first`
              : `port ${port} (${name}) cannot be used: ${err.message}`,
          ),
        );
      });
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
    });
  }
}

/** Ports the kernel hands out for port 0, released at once for the deployables to take. */
export async function freePorts(): Promise<Ports> {
  const names = Object.keys(DEFAULT_PORTS) as (keyof Ports)[];
  const servers = await Promise.all(
    names.map(
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return Object.fromEntries(names.map((name, i) => [name, ports[i]!])) as unknown as Ports;
}

function pipeLines(child: ChildProcess, name: string, log: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line) log(`[${name}] ${line}`);
    });
  }
}

async function waitHealthy(
  name: string,
  url: string,
  child: ChildProcess,
  logs: string[],
): Promise<void> {
  const recent = () => logs.slice(-20).join('\n');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${name} exited with code ${child.exitCode}:\n${recent()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} did not become healthy at ${url} within 60 s:\n${recent()}`);
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
