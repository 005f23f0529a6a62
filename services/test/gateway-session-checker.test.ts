import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CachedSessionState, SessionCache } from '../src/auth/session-cache.ts';
import { createSessionChecker } from '../src/gateway/session-checker.ts';
import { ApiError } from '../src/lib/http-errors.ts';
import { createLogger } from '../src/lib/logger.ts';

const context = { log: createLogger('test', 'silent'), requestId: 'check-test-1' };

/** A stand-in auth service answering the session check from a fixed table. */
let server: Server;
let authUrl: string;
const asked: string[] = [];
const askedWithIds: unknown[] = [];
const statuses: Record<string, string> = { live: 'active', ended: 'revoked' };

beforeAll(async () => {
  const app = express();
  app.get('/internal/sessions/:id', (req, res) => {
    asked.push(req.params.id);
    askedWithIds.push(req.headers['x-request-id']);
    res.json({ sessionId: req.params.id, status: statuses[req.params.id] ?? 'unknown' });
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  authUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function cacheWith(entries: Record<string, CachedSessionState>, failing = false): SessionCache {
  return {
    get: async (id) => {
      if (failing) throw new Error('redis down');
      return entries[id] ?? null;
    },
    markActive: async () => {},
    markRevoked: async () => {},
  };
}

describe('gateway session checks', () => {
  it('answers from the cache without asking the auth service', async () => {
    asked.length = 0;
    const checker = createSessionChecker(cacheWith({ a: 'active', r: 'revoked' }), authUrl);
    expect([await checker.isActive('a', context), await checker.isActive('r', context)]).toEqual([
      true,
      false,
    ]);
    expect(asked).toEqual([]);
  });

  it('asks the auth service on a miss and when the cache fails', async () => {
    asked.length = 0;
    const missing = createSessionChecker(cacheWith({}), authUrl);
    const broken = createSessionChecker(cacheWith({}, true), authUrl);
    expect(await missing.isActive('live', context)).toBe(true);
    expect(await missing.isActive('ended', context)).toBe(false);
    expect(await broken.isActive('live', context)).toBe(true);
    expect(await broken.isActive('never', context)).toBe(false);
    expect(asked).toEqual(['live', 'ended', 'live', 'never']);
    expect(new Set(askedWithIds)).toEqual(new Set(['check-test-1']));
  });

  it('refuses with 503 when neither the cache nor the auth service can answer', async () => {
    // An auth service that has just stopped: its port refuses connections.
    const gone = express().listen(0, '127.0.0.1');
    await new Promise((resolve) => gone.once('listening', resolve));
    const goneUrl = `http://127.0.0.1:${(gone.address() as AddressInfo).port}`;
    await new Promise((resolve) => gone.close(resolve));

    const checker = createSessionChecker(cacheWith({}, true), goneUrl, 500);
    const failure = await checker.isActive('live', context).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApiError);
    expect([(failure as ApiError).status, (failure as ApiError).code]).toEqual([
      503,
      'gateway/session_check_unavailable',
    ]);
  });
});
