import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayApp } from '../src/gateway/gateway-app.ts';
import { createRateLimits } from '../src/gateway/rate-limits.ts';
import { createLogger } from '../src/lib/logger.ts';
import { createTokenVerifier } from '../src/lib/token-verifier.ts';
import { call, freshUsername, LOOSE_RATE_RULES, startStack } from './gateway-stack.ts';
import type { Stack } from './gateway-stack.ts';

let stack: Stack;
const logLines: string[] = [];

beforeAll(async () => {
  // The services' real logger, with its redaction, writing into this test instead of stdout.
  const log = createLogger('stack', 'info');
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = sink;
  stack = await startStack({ log });
});

afterAll(async () => {
  await stack?.close();
});

describe('gateway routing and headers', () => {
  it('carries one request id through gateway and services into every log line', async () => {
    const username = freshUsername();
    const password = 'correct horse battery';
    const requestId = 'trace-register-0001';
    const registered = await call(stack.gatewayUrl, 'POST', '/auth/register', {
      body: { username, password },
      headers: { 'x-request-id': requestId },
    });
    expect(registered.status).toBe(201);
    expect(registered.headers.get('x-request-id')).toBe(requestId);

    const ours = logLines.map((line) => JSON.parse(line)).filter((e) => e.requestId === requestId);
    const messages = ours.map((entry) => entry.msg).sort();
    // Access lines of the gateway, the auth service and the player service it told, and the
    // auth service's own event.
    expect(messages).toEqual([
      'account registered',
      'request completed',
      'request completed',
      'request completed',
    ]);
    const mentions = logLines.filter((line) => line.includes(registered.body.account.id));
    expect(mentions.every((line) => JSON.parse(line).requestId === requestId)).toBe(true);
  });

  it('passes the request id on to the session check behind a cache miss', async () => {
    const registered = await call(stack.gatewayUrl, 'POST', '/auth/register', {
      body: { username: freshUsername(), password: 'correct horse battery' },
    });
    await stack.redis.del(`${stack.redisPrefix}session:${registered.body.sessionId}`);

    const requestId = 'trace-me-0002';
    const me = await call(stack.gatewayUrl, 'GET', '/auth/me', {
      token: registered.body.accessToken,
      headers: { 'x-request-id': requestId },
    });
    expect(me.status).toBe(200);
    const urls = logLines
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.requestId === requestId && entry.msg === 'request completed')
      .map((entry) => entry.req.url)
      .sort();
    // The session check at the auth service, then /auth/me at the auth service and the gateway.
    expect(urls).toEqual([
      '/auth/me',
      '/auth/me',
      `/internal/sessions/${registered.body.sessionId}`,
    ]);
  });

  it('gives a request without an id a fresh one, and replaces a malformed one', async () => {
    const plain = await call(stack.gatewayUrl, 'GET', '/leaderboard/seasons/current');
    expect(plain.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await call(stack.gatewayUrl, 'GET', '/leaderboard/seasons/current', {
      headers: { 'x-request-id': 'bad id\twith "quotes"' },
    });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const seen = stack.leaderboardSeen.at(-1)!;
    expect(seen.headers['x-request-id']).toBe(hostile.headers.get('x-request-id'));
  });

  it('never logs a password or a token', async () => {
    const username = freshUsername();
    const password = 'unmistakable-secret-phrase';
    const registered = await call(stack.gatewayUrl, 'POST', '/auth/register', {
      body: { username, password },
    });
    const { accessToken, refreshToken } = registered.body;
    await call(stack.gatewayUrl, 'GET', '/auth/me', { token: accessToken });
    await call(stack.gatewayUrl, 'POST', '/auth/login', {
      body: { username, password: 'wrong-x' },
    });
    const refreshed = await call(stack.gatewayUrl, 'POST', '/auth/refresh', {
      body: { refreshToken },
    });
    await call(stack.gatewayUrl, 'POST', '/auth/refresh', { body: { refreshToken } });
    await call(stack.gatewayUrl, 'GET', '/player/me', { token: `${accessToken}tampered` });

    const all = logLines.join('\n');
    expect(all).toContain(registered.body.account.id);
    for (const secret of [
      password,
      'wrong-x',
      accessToken,
      refreshToken,
      refreshed.body.refreshToken,
    ]) {
      expect(all.includes(secret)).toBe(false);
    }
    expect(all.includes(accessToken.split('.')[2])).toBe(false);
  });

  it('sets security headers and allows only the client origin', async () => {
    const allowed = await call(stack.gatewayUrl, 'GET', '/leaderboard/seasons/current', {
      headers: { origin: 'http://localhost:3000' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(allowed.headers.get('x-content-type-options')).toBe('nosniff');
    expect(allowed.headers.get('strict-transport-security')).toContain('max-age=');
    expect(allowed.headers.get('x-powered-by')).toBeNull();

    const foreign = await call(stack.gatewayUrl, 'GET', '/leaderboard/seasons/current', {
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

    const preflight = await call(stack.gatewayUrl, 'OPTIONS', '/player/me', {
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PATCH');
  });

  it('opens leaderboard reads to everyone but not the ones about the caller', async () => {
    const gw = stack.gatewayUrl;
    for (const path of ['/leaderboard/seasons/current', '/leaderboard/boards/s1/top?limit=10']) {
      const open = await call(gw, 'GET', path);
      expect([path, open.status, open.body]).toEqual([path, 200, { served: path }]);
    }
    for (const [method, path] of [
      ['GET', '/leaderboard/boards/s1/around-me'],
      ['GET', '/leaderboard/boards/s1/friends'],
      ['GET', '/leaderboard/me'],
      ['GET', '/leaderboard/boards/s1/Around-Me'],
      ['POST', '/leaderboard/boards/s1/top'],
    ] as const) {
      const closed = await call(gw, method, path);
      expect([path, closed.status, closed.body.error.code]).toEqual([
        path,
        401,
        'auth/token_missing',
      ]);
    }
  });

  it('serves log in under one spelling only, so its rate limit cannot be sidestepped', async () => {
    const username = freshUsername();
    const password = 'correct horse battery';
    const registered = await call(stack.gatewayUrl, 'POST', '/auth/register', {
      body: { username, password },
    });
    expect(registered.status).toBe(201);
    for (const path of ['/auth/LOGIN', '/auth/Login', '/auth/Register']) {
      const response = await call(stack.gatewayUrl, 'POST', path, {
        token: registered.body.accessToken,
        body: { username, password },
      });
      expect([path, response.status, response.body.error.code]).toEqual([
        path,
        404,
        'request/not_found',
      ]);
    }
  });

  it('answers unknown paths with a JSON 404', async () => {
    const unknown = await call(stack.gatewayUrl, 'GET', '/admin');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'request/not_found']);
  });

  it('answers a service that is down with a JSON 502 and a slow one with a JSON 504', async () => {
    // A port that was just free and is closed again: nothing listens there.
    const closed = await listenOn(express());
    await new Promise((resolve) => closed.server.close(resolve));
    const slowApp = express();
    const lateAnswers = new Set<NodeJS.Timeout>();
    slowApp.use((_req, res) => {
      lateAnswers.add(setTimeout(() => res.json({ late: true }), 1_000));
    });
    const slow = await listenOn(slowApp);

    const gateway = await listenOn(
      createGatewayApp({
        log: createLogger('test', 'silent'),
        verifier: createTokenVerifier({ keys: { keys: new Map() } }),
        sessions: { isActive: async () => true },
        rateLimits: createRateLimits(stack.redis, stack.redisPrefix, LOOSE_RATE_RULES),
        upstreams: { auth: closed.url, player: closed.url, leaderboard: slow.url },
        upstreamTimeoutMs: 200,
      }),
    );
    try {
      const down = await call(gateway.url, 'GET', '/auth/.well-known/jwks.json');
      expect([down.status, down.body.error.code]).toEqual([502, 'gateway/upstream_unavailable']);
      expect(down.body.error.requestId).toBe(down.headers.get('x-request-id'));
      const late = await call(gateway.url, 'GET', '/leaderboard/seasons/current');
      expect([late.status, late.body.error.code]).toEqual([504, 'gateway/upstream_timeout']);
    } finally {
      for (const timer of lateAnswers) clearTimeout(timer);
      gateway.server.closeAllConnections();
      slow.server.closeAllConnections();
      await Promise.all([gateway, slow].map((s) => new Promise((r) => s.server.close(r))));
    }
  });
});

const silent = createLogger('test', 'silent');

async function listenOn(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
