import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@truerun/services/lib/logger';
import { createStaticServer, ENDPOINTS_PATH } from '../scripts/static-server.ts';

let root = '';
let server: Server;
let base = '';
const SCRIPT = 'console.log("the game");'.repeat(40);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'truerun-static-'));
  await mkdir(join(root, '_nuxt'));
  await writeFile(join(root, '200.html'), '<html>app shell</html>');
  await writeFile(join(root, 'index.html'), '<html>index</html>');
  await writeFile(join(root, '_nuxt', 'entry.js'), SCRIPT);
  server = createStaticServer({
    root,
    endpoints: { gatewayUrl: 'http://127.0.0.1:1', gameServerUrl: 'ws://127.0.0.1:2' },
    log: createLogger('static-test', 'silent'),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(root, { recursive: true, force: true });
});

/** A raw GET, so the encoding on the wire is visible (fetch would decode it). */
async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(base + path, { headers });
  return { response, body: Buffer.from(await response.arrayBuffer()) };
}

describe('the static server', () => {
  it('serves build assets gzipped and cacheable forever', async () => {
    const { response } = await get('/_nuxt/entry.js', { 'accept-encoding': 'gzip' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // fetch decodes gzip itself; the declared length is the compressed one.
    expect(Number(response.headers.get('content-length'))).toBeLessThan(SCRIPT.length);
  });

  it('sends the exact file when gzip is not accepted', async () => {
    const raw = await new Promise<Buffer>((resolve, reject) => {
      import('node:http').then(({ get: httpGet }) =>
        httpGet(`${base}/_nuxt/entry.js`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        }).on('error', reject),
      );
    });
    expect(gunzipSync(raw).toString()).toBe(SCRIPT);
    const { body } = await get('/_nuxt/entry.js', { 'accept-encoding': 'identity' });
    expect(body.toString()).toBe(SCRIPT);
  });

  it('answers app routes with the app shell and missing assets with 404', async () => {
    const menu = await get('/leaderboard?tab=friends');
    expect(menu.response.status).toBe(200);
    expect(menu.body.toString()).toBe('<html>app shell</html>');
    expect(menu.response.headers.get('cache-control')).toBe('no-cache');
    expect((await get('/')).body.toString()).toBe('<html>index</html>');
    expect((await get('/_nuxt/missing.js')).response.status).toBe(404);
    expect((await get('/favicon.png')).response.status).toBe(404);
  });

  it('announces the endpoints of the deployment', async () => {
    const { response, body } = await get(ENDPOINTS_PATH);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(body.toString())).toEqual({
      gatewayUrl: 'http://127.0.0.1:1',
      gameServerUrl: 'ws://127.0.0.1:2',
    });
  });

  it('refuses other methods, malformed paths, and never leaves its root', async () => {
    const post = await fetch(`${base}/`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await get('/%E0%A4%A')).response.status).toBe(400);
    const climb = await get('/..%2f..%2fetc%2fpasswd');
    expect(climb.body.toString()).toBe('<html>app shell</html>');
  });
});
