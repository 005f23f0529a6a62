import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, freshUsername, startStack } from './gateway-stack.ts';
import type { Stack } from './gateway-stack.ts';

let stack: Stack;
let accessToken: string;

const TABLES = ['users', 'sessions', 'refresh_tokens', 'profiles', 'owned_skins', 'friendships'];

/** Every row of every table, as text: equal snapshots mean nothing was written. */
async function snapshot(): Promise<Record<string, string[]>> {
  const tables: Record<string, string[]> = {};
  for (const table of TABLES) {
    const { rows } = await stack.db.query<{ row: string }>(
      `SELECT t::text AS row FROM ${table} t ORDER BY 1`,
    );
    tables[table] = rows.map((r) => r.row);
  }
  return tables;
}

beforeAll(async () => {
  stack = await startStack();
  const registered = await call(stack.gatewayUrl, 'POST', '/auth/register', {
    body: { username: freshUsername(), password: 'correct horse battery' },
  });
  accessToken = registered.body.accessToken;
});

afterAll(async () => {
  await stack?.close();
});

const injections = [
  "' OR '1'='1",
  "admin'; DROP TABLE users; --",
  'robert"); DELETE FROM sessions; --',
  '$1',
  '\u0000',
  '../../etc/passwd',
  '<script>alert(1)</script>',
];

/** Bodies every auth route must refuse, each with the status and code it gets. */
const badBodies: [string, unknown, number, string][] = [
  ...injections.map((username): [string, unknown, number, string] => [
    `injection-shaped username ${JSON.stringify(username)}`,
    { username, password: 'correct horse battery' },
    400,
    'auth/invalid_body',
  ]),
  ['missing password', { username: 'valid_name' }, 400, 'auth/invalid_body'],
  ['missing username', { password: 'correct horse battery' }, 400, 'auth/invalid_body'],
  ['empty body', {}, 400, 'auth/invalid_body'],
  [
    'numeric username',
    { username: 12345, password: 'correct horse battery' },
    400,
    'auth/invalid_body',
  ],
  ['array password', { username: 'valid_name', password: ['a', 'b'] }, 400, 'auth/invalid_body'],
  [
    'object username',
    { username: { $ne: null }, password: 'x'.repeat(10) },
    400,
    'auth/invalid_body',
  ],
  ['null password', { username: 'valid_name', password: null }, 400, 'auth/invalid_body'],
  ['short password', { username: 'valid_name', password: 'short' }, 400, 'auth/invalid_body'],
  [
    'long password',
    { username: 'valid_name', password: 'p'.repeat(257) },
    400,
    'auth/invalid_body',
  ],
  [
    'long username',
    { username: 'u'.repeat(21), password: 'correct horse battery' },
    400,
    'auth/invalid_body',
  ],
  [
    'bad email',
    { username: 'valid_name', password: 'correct horse battery', email: 'not-an-email' },
    400,
    'auth/invalid_body',
  ],
  [
    'unknown field',
    { username: 'valid_name', password: 'correct horse battery', admin: true },
    400,
    'auth/invalid_body',
  ],
  ['top-level array', [{ username: 'valid_name' }], 400, 'auth/invalid_body'],
];

describe('bad input to the auth routes', () => {
  it('refuses every bad registration with its code and writes nothing', async () => {
    const before = await snapshot();
    for (const [name, body, status, code] of badBodies) {
      const answer = await call(stack.gatewayUrl, 'POST', '/auth/register', { body });
      expect({ name, status: answer.status, code: answer.body?.error?.code }).toEqual({
        name,
        status,
        code,
      });
      expect(typeof answer.body.error.requestId).toBe('string');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses injection-shaped log ins as wrong credentials and writes nothing', async () => {
    const before = await snapshot();
    for (const username of injections) {
      const answer = await call(stack.gatewayUrl, 'POST', '/auth/login', {
        body: { username, password: "' OR '1'='1' --" },
      });
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('auth/invalid_credentials');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses wrongly typed and malformed refresh and log out bodies', async () => {
    const before = await snapshot();
    const bodies = [
      {},
      { refreshToken: 42 },
      { refreshToken: "' OR 1=1 --" },
      { refreshToken: 'x'.repeat(5000) },
    ];
    for (const path of ['/auth/refresh', '/auth/logout']) {
      for (const body of bodies) {
        const answer = await call(stack.gatewayUrl, 'POST', path, { body });
        expect([path, answer.status, answer.body.error.code]).toEqual([
          path,
          400,
          'auth/invalid_body',
        ]);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('answers malformed JSON, other content types and oversized bodies with 4xx', async () => {
    const before = await snapshot();
    const malformed = await call(stack.gatewayUrl, 'POST', '/auth/register', {
      raw: '{"username": ',
    });
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'request/malformed_json']);

    const form = await call(stack.gatewayUrl, 'POST', '/auth/register', {
      raw: 'username=a&password=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([form.status, form.body.error.code]).toEqual([400, 'auth/invalid_body']);

    // Declared too large: the gateway refuses before anything reaches the service.
    const huge = await call(stack.gatewayUrl, 'POST', '/auth/register', {
      body: { username: 'valid_name', password: 'p'.repeat(20_000) },
    });
    expect([huge.status, huge.body.error.code]).toEqual([413, 'request/too_large']);

    // Streamed without a length: the service's own cap answers.
    const chunked = await postChunked(
      '/auth/register',
      JSON.stringify({ username: 'x'.repeat(12_000) }),
    );
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.code).toBe('request/too_large');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses paths that could reach internal routes', async () => {
    for (const path of [
      '/auth/../internal/sessions/x',
      '/auth/%2e%2e/internal/sessions/x',
      '/player/..%2finternal/friends/x',
      '/auth\\..\\internal',
    ]) {
      const answer = await rawGet(path);
      expect([path, answer.status, JSON.parse(answer.body).error.code]).toEqual([
        path,
        400,
        'request/invalid_path',
      ]);
    }
    const internal = await call(stack.gatewayUrl, 'GET', '/internal/friends/x', {
      token: accessToken,
    });
    expect([internal.status, internal.body.error.code]).toEqual([404, 'request/not_found']);
  });
});

function rawGet(path: string): Promise<{ status: number; body: string }> {
  return send('GET', path, undefined);
}

function postChunked(path: string, body: string): Promise<{ status: number; body: string }> {
  return send('POST', path, body);
}

/** A request written by hand, so neither the path nor the framing is normalized on the way. */
function send(method: string, path: string, body: string | undefined) {
  const url = new URL(stack.gatewayUrl);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: body ? { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    if (body) {
      for (let i = 0; i < body.length; i += 1000) req.write(body.slice(i, i + 1000));
    }
    req.end();
  });
}
