import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { TestSigner } from '@truerun/services/test-support/tokens';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** A `game-server/src/main.ts` process, as it runs in production, on a free port. */
export interface GameProcess {
  port: number;
  /** Where the process serves `GET /metrics`. */
  metricsPort: number;
  pid: number;
  /** Every log line the process wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** How the process is launched, beyond its environment. */
export interface LaunchOptions {
  /** Runs the process through another command, such as `taskset -c 0`. */
  prefix?: string[];
  /** Flags for Node itself, such as `--trace-gc` (some are not allowed in NODE_OPTIONS). */
  nodeFlags?: string[];
}

export async function startGameProcess(
  env: Record<string, string>,
  { prefix = [], nodeFlags = [] }: LaunchOptions = {},
): Promise<GameProcess> {
  const command = [...prefix, process.execPath, ...nodeFlags, MAIN];
  const child = spawn(command[0]!, command.slice(1), {
    env: { ...process.env, GAME_SERVER_PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'game server listening') resolve(entry.port as number);
        } catch {
          // Not a log line.
        }
      }
    });
    void exited.then((code) => reject(new Error(`game server exited with ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error('game server did not start in 20 s')), 20_000).unref();
  });
  // The metrics endpoint listens before the rooms do.
  const metricsPort = logs.find((entry) => entry.msg === 'metrics listening')!.port as number;

  return {
    port,
    metricsPort,
    pid: child.pid!,
    logs,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/**
 * Stands in for the two auth service routes a game server calls: the JWKS with the signer's
 * public key, and the session check, which finds every session active.
 */
export async function startJwksServer(
  signer: TestSigner,
): Promise<{ url: string; close(): Promise<void> }> {
  const jwk = { ...signer.publicKey.export({ format: 'jwk' }), kid: signer.kid, alg: 'ES256' };
  const server = http.createServer((req, res) => {
    const session = /^\/internal\/sessions\/([^/]+)$/.exec(req.url ?? '');
    if (req.url !== '/auth/.well-known/jwks.json' && !session) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    const body = session ? { sessionId: session[1], status: 'active' } : { keys: [jwk] };
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
