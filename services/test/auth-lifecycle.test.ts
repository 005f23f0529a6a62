import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, freshUsername, startStack } from './gateway-stack.ts';
import type { Stack } from './gateway-stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

const password = 'correct horse battery';

describe('account lifecycle through the gateway', () => {
  it('registers, logs in, reads me, refreshes, logs out, and refuses the old tokens', async () => {
    const gw = stack.gatewayUrl;
    const username = freshUsername();

    const registered = await call(gw, 'POST', '/auth/register', {
      body: { username, password, email: `${username}@example.test` },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.account).toMatchObject({ username, email: `${username}@example.test` });
    expect(registered.body.tokenType).toBe('Bearer');
    expect(registered.body.expiresIn).toBe(600);
    const userId: string = registered.body.account.id;

    const login = await call(gw, 'POST', '/auth/login', {
      body: { username: username.toUpperCase(), password },
    });
    expect(login.status).toBe(200);
    expect(login.body.account.id).toBe(userId);
    expect(login.body.sessionId).not.toBe(registered.body.sessionId);

    const me = await call(gw, 'GET', '/auth/me', { token: login.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.account).toEqual({
      id: userId,
      username,
      email: `${username}@example.test`,
      createdAt: registered.body.account.createdAt,
    });

    const refreshed = await call(gw, 'POST', '/auth/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.sessionId).toBe(login.body.sessionId);
    expect(refreshed.body.refreshToken).not.toBe(login.body.refreshToken);
    const meAgain = await call(gw, 'GET', '/auth/me', { token: refreshed.body.accessToken });
    expect(meAgain.status).toBe(200);

    const logout = await call(gw, 'POST', '/auth/logout', {
      body: { refreshToken: refreshed.body.refreshToken },
    });
    expect(logout.status).toBe(204);

    // Both access tokens of the session are refused at once, long before they expire.
    for (const token of [login.body.accessToken, refreshed.body.accessToken]) {
      const refused = await call(gw, 'GET', '/auth/me', { token });
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('auth/session_revoked');
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    }
    const refreshAfter = await call(gw, 'POST', '/auth/refresh', {
      body: { refreshToken: refreshed.body.refreshToken },
    });
    expect(refreshAfter.status).toBe(401);
    expect(refreshAfter.body.error.code).toBe('auth/refresh_invalid');

    // The other session, from registration, is untouched.
    const other = await call(gw, 'GET', '/auth/me', { token: registered.body.accessToken });
    expect(other.status).toBe(200);

    const { rows } = await stack.db.query(
      'SELECT revoked_reason FROM sessions WHERE user_id = $1 ORDER BY created_at',
      [userId],
    );
    expect(rows).toEqual([{ revoked_reason: null }, { revoked_reason: 'logout' }]);
  });

  it('refuses a logged-out session after its cache entry is lost, from PostgreSQL', async () => {
    const gw = stack.gatewayUrl;
    const registered = await call(gw, 'POST', '/auth/register', {
      body: { username: freshUsername(), password },
    });
    const { sessionId, accessToken, refreshToken } = registered.body;
    await call(gw, 'POST', '/auth/logout', { body: { refreshToken } });

    await stack.redis.del(`${stack.redisPrefix}session:${sessionId}`);
    const refused = await call(gw, 'GET', '/auth/me', { token: accessToken });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('auth/session_revoked');
    expect(await stack.redis.get(`${stack.redisPrefix}session:${sessionId}`)).toBe('revoked');
  });

  it('accepts a live session whose cache entry is lost, and caches it again', async () => {
    const gw = stack.gatewayUrl;
    const registered = await call(gw, 'POST', '/auth/register', {
      body: { username: freshUsername(), password },
    });
    const { sessionId, accessToken } = registered.body;
    const key = `${stack.redisPrefix}session:${sessionId}`;
    expect(await stack.redis.get(key)).toBe('active');

    await stack.redis.del(key);
    const me = await call(gw, 'GET', '/auth/me', { token: accessToken });
    expect(me.status).toBe(200);
    expect(await stack.redis.get(key)).toBe('active');
    const ttl = await stack.redis.ttl(key);
    expect(ttl).toBeGreaterThan(600);
    expect(ttl).toBeLessThanOrEqual(660);
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    const gw = stack.gatewayUrl;
    const username = freshUsername();
    await call(gw, 'POST', '/auth/register', { body: { username, password } });

    const wrong = await call(gw, 'POST', '/auth/login', {
      body: { username, password: 'not the password' },
    });
    const unknown = await call(gw, 'POST', '/auth/login', {
      body: { username: 'nobody_here', password },
    });
    for (const answer of [wrong, unknown]) {
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('auth/invalid_credentials');
      expect(answer.body.error.message).toBe('wrong username or password');
    }
  });

  it('refuses a second account with a taken username or email, in any letter case', async () => {
    const gw = stack.gatewayUrl;
    const username = freshUsername();
    const email = `${username}@example.test`;
    await call(gw, 'POST', '/auth/register', { body: { username, password, email } });

    const sameName = await call(gw, 'POST', '/auth/register', {
      body: { username: username.toUpperCase(), password },
    });
    expect(sameName.status).toBe(409);
    expect(sameName.body.error.code).toBe('auth/username_taken');

    const sameEmail = await call(gw, 'POST', '/auth/register', {
      body: { username: freshUsername(), password, email: email.toUpperCase() },
    });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.error.code).toBe('auth/email_taken');
  });

  it('creates the player profile on registration, named after the account', async () => {
    const gw = stack.gatewayUrl;
    const username = freshUsername();
    const registered = await call(gw, 'POST', '/auth/register', { body: { username, password } });
    const { rows } = await stack.db.query(
      'SELECT username, display_name, skin_id FROM profiles WHERE user_id = $1',
      [registered.body.account.id],
    );
    expect(rows).toEqual([{ username, display_name: username, skin_id: 'runner' }]);
  });

  it('publishes the signing key as JWKS with its key id', async () => {
    const jwks = await call(stack.gatewayUrl, 'GET', '/auth/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.body).toEqual({ keys: [stack.signingKey.jwk] });
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(Object.keys(jwks.body.keys[0]).sort()).toEqual(
      ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'].sort(),
    );
  });
});
