import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../src/test-support/databases.ts';
import type { TestDatabase } from '../src/test-support/databases.ts';

const PLAYER_MAIN = fileURLToPath(new URL('../src/player/main.ts', import.meta.url));

let db: TestDatabase;
let holder: Server;
let heldPort: number;

beforeAll(async () => {
  db = await createTestDatabase('startup');
  holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  heldPort = (holder.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => holder?.close(resolve));
  await db?.drop();
});

describe('startup', () => {
  it('a service whose port is taken exits with the error, never claiming to listen', async () => {
    const child = spawn(process.execPath, [PLAYER_MAIN], {
      env: { ...process.env, DATABASE_URL: db.url, PLAYER_PORT: String(heldPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });

    expect(code).toBe(1);
    expect(output).toContain(`EADDRINUSE: address already in use 127.0.0.1:${heldPort}`);
    expect(output).not.toContain('player service listening');
  });
});
