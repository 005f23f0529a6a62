import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signingKeyFromPem } from '../src/auth/keys.ts';
import { call, freshUsername, startStack } from './gateway-stack.ts';
import type { Stack } from './gateway-stack.ts';

let stack: Stack;
let userId: string;
let username: string;
let sessionId: string;
let validToken: string;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

beforeAll(async () => {
  stack = await startStack();
  username = freshUsername();
  const registered = await call(stack.gatewayUrl, 'POST', '/auth/register', {
    body: { username, password: 'correct horse battery' },
  });
  userId = registered.body.account.id;
  sessionId = registered.body.sessionId;
  validToken = registered.body.accessToken;
});

afterAll(async () => {
  await stack?.close();
});

beforeEach(() => {
  stack.leaderboardSeen.length = 0;
});

/** Claims as the auth service issues them, for the registered player's live session. */
function claims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: userId,
    name: username,
    sid: sessionId,
    iss: 'truerun-auth',
    aud: 'truerun',
    iat: now,
    exp: now + 600,
    ...overrides,
  };
}

/** Signs with the real signing key: only the claims differ from a genuine token. */
function signWithRealKey(payload: Record<string, unknown>) {
  return jwt.sign(payload, stack.signingKey.privateKey, {
    algorithm: 'ES256',
    keyid: stack.signingKey.kid,
  });
}

async function expectRefused(token: string, code: string) {
  const answer = await call(stack.gatewayUrl, 'GET', '/leaderboard/me', { token });
  expect(answer.status).toBe(401);
  expect(answer.body.error.code).toBe(code);
  expect(stack.leaderboardSeen).toEqual([]);
}

describe('gateway token checks', () => {
  it('passes a genuine token and forwards who it speaks for', async () => {
    const answer = await call(stack.gatewayUrl, 'GET', '/leaderboard/me', { token: validToken });
    expect(answer.status).toBe(200);
    expect(stack.leaderboardSeen).toHaveLength(1);
    const headers = stack.leaderboardSeen[0]!.headers;
    expect(headers['x-user-id']).toBe(userId);
    expect(headers['x-username']).toBe(username);
    expect(headers['x-session-id']).toBe(sessionId);
    expect(headers.authorization).toBeUndefined();
  });

  it('refuses alg none', async () => {
    const header = b64({ alg: 'none', typ: 'JWT', kid: stack.signingKey.kid });
    const token = `${header}.${b64(claims())}.`;
    await expectRefused(token, 'auth/token_invalid');
  });

  it('refuses HS256 signed with the public key as the secret', async () => {
    const header = b64({ alg: 'HS256', typ: 'JWT', kid: stack.signingKey.kid });
    const body = b64(claims());
    const secret = stack.signingKey.publicKey.export({ format: 'pem', type: 'spki' });
    const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
    await expectRefused(`${header}.${body}.${signature}`, 'auth/token_invalid');
  });

  it('refuses a wrong issuer', async () => {
    await expectRefused(signWithRealKey(claims({ iss: 'someone-else' })), 'auth/token_invalid');
  });

  it('refuses a wrong audience', async () => {
    await expectRefused(signWithRealKey(claims({ aud: 'other-app' })), 'auth/token_invalid');
  });

  it('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = signWithRealKey(claims({ iat: now - 1200, exp: now - 600 }));
    await expectRefused(token, 'auth/token_expired');
  });

  it('refuses a token without an expiry', async () => {
    const { exp: _exp, ...noExpiry } = claims();
    await expectRefused(signWithRealKey(noExpiry), 'auth/token_invalid');
  });

  it('refuses a payload changed after signing', async () => {
    const [header, , signature] = validToken.split('.');
    const changed = b64(claims({ sub: randomUUID(), name: 'admin' }));
    await expectRefused(`${header}.${changed}.${signature}`, 'auth/token_invalid');
  });

  it('refuses a token signed by another key under the real key id', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const token = jwt.sign(claims(), privateKey, {
      algorithm: 'ES256',
      keyid: stack.signingKey.kid,
    });
    await expectRefused(token, 'auth/token_invalid');
  });

  it('refuses a token signed by another key under its own key id', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    const other = signingKeyFromPem(pem);
    const token = jwt.sign(claims(), other.privateKey, { algorithm: 'ES256', keyid: other.kid });
    await expectRefused(token, 'auth/token_unknown_key');
  });

  it('refuses a genuine signature over a session that never existed', async () => {
    await expectRefused(signWithRealKey(claims({ sid: randomUUID() })), 'auth/session_revoked');
  });

  it('refuses a missing token, a malformed token and a non-bearer scheme', async () => {
    const missing = await call(stack.gatewayUrl, 'GET', '/player/me');
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('auth/token_missing');
    await expectRefused('not-a-jwt', 'auth/token_invalid');

    const basic = await call(stack.gatewayUrl, 'GET', '/player/me', {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(basic.status).toBe(401);
    expect(basic.body.error.code).toBe('auth/token_invalid');
  });

  it('replaces identity headers a client sends with the verified ones', async () => {
    const spoofed = { 'x-user-id': randomUUID(), 'x-username': 'admin', 'x-session-id': 'x' };
    await call(stack.gatewayUrl, 'GET', '/leaderboard/seasons/current', { headers: spoofed });
    await call(stack.gatewayUrl, 'GET', '/leaderboard/me', { token: validToken, headers: spoofed });

    expect(stack.leaderboardSeen.map((seen) => seen.url)).toEqual([
      '/leaderboard/seasons/current',
      '/leaderboard/me',
    ]);
    const [publicRead, personal] = stack.leaderboardSeen.map((seen) => seen.headers);
    expect(publicRead?.['x-user-id']).toBeUndefined();
    expect(publicRead?.['x-username']).toBeUndefined();
    expect(personal?.['x-user-id']).toBe(userId);
    expect(personal?.['x-username']).toBe(username);
    expect(personal?.['x-session-id']).toBe(sessionId);
  });
});
