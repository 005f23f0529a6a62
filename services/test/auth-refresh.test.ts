import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionCache } from '../src/auth/session-cache.ts';
import { call, freshUsername, startStack } from './gateway-stack.ts';
import type { Stack } from './gateway-stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

async function newSession() {
  const answer = await call(stack.gatewayUrl, 'POST', '/auth/register', {
    body: { username: freshUsername(), password: 'correct horse battery' },
  });
  expect(answer.status).toBe(201);
  return answer.body as { sessionId: string; accessToken: string; refreshToken: string };
}

const refresh = (refreshToken: string) =>
  call(stack.gatewayUrl, 'POST', '/auth/refresh', { body: { refreshToken } });

describe('refresh token rotation', () => {
  it('gives a new refresh token on every use, each good exactly once', async () => {
    const session = await newSession();
    let token = session.refreshToken;
    const seen = new Set([token]);
    for (let i = 0; i < 3; i += 1) {
      const answer = await refresh(token);
      expect(answer.status).toBe(200);
      expect(answer.body.sessionId).toBe(session.sessionId);
      expect(seen.has(answer.body.refreshToken)).toBe(false);
      seen.add(answer.body.refreshToken);
      token = answer.body.refreshToken;
    }

    const { rows } = await stack.db.query(
      `SELECT count(*)::int AS issued, count(used_at)::int AS used
       FROM refresh_tokens WHERE session_id = $1`,
      [session.sessionId],
    );
    expect(rows[0]).toEqual({ issued: 4, used: 3 });
  });

  it('stores refresh tokens only as SHA-256 hashes', async () => {
    const session = await newSession();
    const { rows } = await stack.db.query(
      "SELECT encode(token_hash, 'hex') AS hash FROM refresh_tokens WHERE session_id = $1",
      [session.sessionId],
    );
    const expected = createHash('sha256').update(session.refreshToken).digest('hex');
    expect(rows).toEqual([{ hash: expected }]);
  });

  it('revokes the whole session when a rotated refresh token is used again', async () => {
    const session = await newSession();
    const first = await refresh(session.refreshToken);
    expect(first.status).toBe(200);

    // An attacker replays the token the client already exchanged.
    const replay = await refresh(session.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('auth/refresh_reused');

    // The legitimate client's newer refresh token and every access token die with the session.
    const newest = await refresh(first.body.refreshToken);
    expect(newest.status).toBe(401);
    expect(newest.body.error.code).toBe('auth/refresh_invalid');
    for (const token of [session.accessToken, first.body.accessToken]) {
      const me = await call(stack.gatewayUrl, 'GET', '/auth/me', { token });
      expect(me.status).toBe(401);
      expect(me.body.error.code).toBe('auth/session_revoked');
    }

    const { rows } = await stack.db.query(
      'SELECT revoked_reason FROM sessions WHERE id = $1 AND revoked_at IS NOT NULL',
      [session.sessionId],
    );
    expect(rows).toEqual([{ revoked_reason: 'refresh_reuse' }]);
  });

  it('lets exactly one of two concurrent exchanges of one token win, then revokes', async () => {
    const session = await newSession();
    const answers = await Promise.all([
      refresh(session.refreshToken),
      refresh(session.refreshToken),
    ]);
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 401]);
    const loser = answers.find((answer) => answer.status === 401)!;
    expect(loser.body.error.code).toBe('auth/refresh_reused');

    const winner = answers.find((answer) => answer.status === 200)!;
    const after = await refresh(winner.body.refreshToken);
    expect(after.status).toBe(401);
  });

  it('refuses a refresh token that was never issued', async () => {
    const answer = await refresh('A'.repeat(43));
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('auth/refresh_invalid');
  });

  it('answers logout again after it is done, and refuses an unknown token', async () => {
    const session = await newSession();
    const body = { refreshToken: session.refreshToken };
    expect((await call(stack.gatewayUrl, 'POST', '/auth/logout', { body })).status).toBe(204);
    expect((await call(stack.gatewayUrl, 'POST', '/auth/logout', { body })).status).toBe(204);

    const unknown = await call(stack.gatewayUrl, 'POST', '/auth/logout', {
      body: { refreshToken: 'B'.repeat(43) },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('auth/refresh_invalid');
  });
});

describe('session cache', () => {
  it('never turns a revoked session active again', async () => {
    const cache = createSessionCache(stack.redis, stack.redisPrefix, 660);
    await cache.markRevoked('late-refresh');
    await cache.markActive('late-refresh', 600);
    expect(await cache.get('late-refresh')).toBe('revoked');
    expect(await cache.get('never-seen')).toBeNull();
  });
});
