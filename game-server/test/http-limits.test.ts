import http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RUN_ROOM_NAME } from '@truerun/shared-sim/protocol';
import { MAX_HTTP_BODY_BYTES } from '../src/server.ts';
import { startHarness } from './support/harness.ts';
import type { Harness } from './support/harness.ts';
import { joinRun } from './support/run-client.ts';

/** Sends a raw request and resolves with its status and body. */
function request(
  port: number,
  path: string,
  headers: Record<string, string>,
  chunks: string[],
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('HTTP request bodies', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const matchmake = `/matchmake/joinOrCreate/${RUN_ROOM_NAME}`;

  test('a body over the limit is refused with 413 before it is read', async () => {
    const body = JSON.stringify({ token: 'x'.repeat(MAX_HTTP_BODY_BYTES) });
    const response = await request(
      harness.port,
      matchmake,
      { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      [body],
    );
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ error: 'payload_too_large' });
  });

  test('a body of unknown length is refused with 411', async () => {
    const response = await request(
      harness.port,
      matchmake,
      { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      ['{"token":', '"x"}'],
    );
    expect(response.status).toBe(411);
    expect(JSON.parse(response.body)).toEqual({ error: 'length_required' });
  });

  test('a join within the limit still works', async () => {
    const room = await joinRun(harness.url, { token: harness.token().token });
    expect(room.roomId).toMatch(/\w+/);
    await room.leave(true);
  });
});
