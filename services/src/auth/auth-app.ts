import express from 'express';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { forwardedIdentity, isUuid, parseInput, requestLogging } from '../gateway/contract.ts';
import { ApiError, errorHandler, notFound } from '../lib/http-errors.ts';
import type { Logger } from '../lib/logger.ts';
import { DuplicateAccountError } from './account-store.ts';
import type { Account, AccountStore, SessionRecord } from './account-store.ts';
import { jwksDocument } from './keys.ts';
import type { SigningKey } from './keys.ts';
import type { PasswordHasher } from './passwords.ts';
import type { SessionCache } from './session-cache.ts';
import { hashRefreshToken, newRefreshToken, REFRESH_TOKEN_LENGTH } from './tokens.ts';
import type { AccessTokenSigner } from './tokens.ts';

/** Stable error codes of the auth service, besides the shared `request/*` ones. */
export const AuthErrorCode = {
  INVALID_BODY: 'auth/invalid_body',
  USERNAME_TAKEN: 'auth/username_taken',
  EMAIL_TAKEN: 'auth/email_taken',
  INVALID_CREDENTIALS: 'auth/invalid_credentials',
  REFRESH_INVALID: 'auth/refresh_invalid',
  REFRESH_REUSED: 'auth/refresh_reused',
  ACCOUNT_NOT_FOUND: 'auth/account_not_found',
  SESSION_CACHE_UNAVAILABLE: 'auth/session_cache_unavailable',
} as const;

/** Told about every new account, so the player service can create its profile at once. */
export interface AccountListener {
  accountCreated(account: Account, requestId: string): Promise<void>;
}

export interface AuthAppDeps {
  log: Logger;
  accounts: AccountStore;
  sessions: SessionCache;
  passwords: PasswordHasher;
  signer: AccessTokenSigner;
  /** Keys published in the JWKS document; the first one signs. */
  keys: readonly SigningKey[];
  /** Absolute life of a session from log in, in seconds. Default 30 days. */
  sessionTtlSec?: number;
  listener?: AccountListener;
}

const USERNAME_PATTERN = /^[A-Za-z0-9_]{3,20}$/;
const username = z.string().regex(USERNAME_PATTERN, '3 to 20 letters, digits or _');
const password = z.string().min(8).max(256);
const refreshToken = z
  .string()
  .length(REFRESH_TOKEN_LENGTH)
  .regex(/^[A-Za-z0-9_-]+$/);

const RegisterBody = z.strictObject({
  username,
  password,
  email: z.email().max(254).optional(),
});
const LoginBody = z.strictObject({ username: z.string().min(1).max(64), password });
const RefreshBody = z.strictObject({ refreshToken });

/**
 * The auth service: register, log in, refresh, log out and "me" under `/auth`, the JWKS
 * document at `/auth/.well-known/jwks.json`, and the session check the gateway falls back to
 * on a cache miss at `/internal/sessions/:sessionId` (internal network only).
 */
export function createAuthApp(deps: AuthAppDeps): express.Express {
  const { log, accounts, sessions, passwords, signer } = deps;
  const sessionTtlSec = deps.sessionTtlSec ?? 30 * 24 * 3600;
  const jwks = jwksDocument(deps.keys);

  const app = express();
  // Paths match exactly as the gateway matched them: no second spelling of a route.
  app.set('case sensitive routing', true);
  app.disable('x-powered-by');
  app.use(requestLogging(log));
  app.use(express.json({ limit: '8kb' }));

  /** Opens a session and answers with its first token pair. */
  const startSession = async (req: Request, res: Response, account: Account, status: number) => {
    const refresh = newRefreshToken();
    const session = await accounts.openSession(
      account.id,
      sessionTtlSec,
      hashRefreshToken(refresh),
    );
    await cacheActive(req, session);
    res.status(status).json(tokenPair(account, session, refresh));
  };

  const tokenPair = (account: Account, session: SessionRecord, refresh: string) => {
    const access = signer.sign({
      userId: account.id,
      username: account.username,
      sessionId: session.sessionId,
    });
    return {
      account,
      sessionId: session.sessionId,
      accessToken: access.token,
      tokenType: 'Bearer',
      expiresIn: signer.ttlSec,
      refreshToken: refresh,
      refreshExpiresAt: session.expiresAt.toISOString(),
    };
  };

  // A failed cache write is not fatal here: the gateway's miss falls back to PostgreSQL.
  const cacheActive = async (req: Request, session: SessionRecord) => {
    const ttl = (session.expiresAt.getTime() - Date.now()) / 1000;
    await sessions.markActive(session.sessionId, ttl).catch((err: unknown) => {
      req.log.warn({ err, sessionId: session.sessionId }, 'session cache write failed');
    });
  };

  // Unlike cacheActive, a revocation must reach the cache: otherwise the gateway could accept
  // the session's access tokens until the cached entry expires. The caller may retry.
  const cacheRevoked = async (req: Request, sessionId: string) => {
    try {
      await sessions.markRevoked(sessionId);
    } catch (err) {
      req.log.error({ err, sessionId }, 'session revocation not cached');
      throw new ApiError(
        503,
        AuthErrorCode.SESSION_CACHE_UNAVAILABLE,
        'session revoked but not yet everywhere; retry',
      );
    }
  };

  app.get('/auth/.well-known/jwks.json', (_req, res) => {
    res.set('cache-control', 'public, max-age=300').json(jwks);
  });

  // `/health` for probes inside the cluster, `/auth/health` through the gateway.
  app.get(['/health', '/auth/health'], (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.post('/auth/register', async (req, res) => {
    const body = parseInput(RegisterBody, req.body, AuthErrorCode.INVALID_BODY);
    const hash = await passwords.hash(body.password);

    let account: Account;
    try {
      account = await accounts.createAccount(body.username, body.email ?? null, hash);
    } catch (err) {
      if (!(err instanceof DuplicateAccountError)) throw err;
      if (err.field === 'email') {
        throw new ApiError(409, AuthErrorCode.EMAIL_TAKEN, 'an account uses this email');
      }
      throw new ApiError(409, AuthErrorCode.USERNAME_TAKEN, 'this username is taken');
    }
    req.log.info({ userId: account.id }, 'account registered');

    await deps.listener?.accountCreated(account, String(req.id)).catch((err: unknown) => {
      // The player service also creates the profile the first time it is asked for it.
      req.log.warn({ err, userId: account.id }, 'player service not told of new account');
    });
    await startSession(req, res, account, 201);
  });

  app.post('/auth/login', async (req, res) => {
    const body = parseInput(LoginBody, req.body, AuthErrorCode.INVALID_BODY);
    // A name no account can have is looked up nowhere, but costs the same password check.
    const credentials = USERNAME_PATTERN.test(body.username)
      ? await accounts.findCredentials(body.username)
      : null;
    const valid = await passwords.verify(credentials?.passwordHash ?? null, body.password);
    if (!credentials || !valid) {
      req.log.info({ userId: credentials?.account.id }, 'log in refused');
      throw new ApiError(401, AuthErrorCode.INVALID_CREDENTIALS, 'wrong username or password');
    }
    req.log.info({ userId: credentials.account.id }, 'logged in');
    await startSession(req, res, credentials.account, 200);
  });

  app.post('/auth/refresh', async (req, res) => {
    const body = parseInput(RefreshBody, req.body, AuthErrorCode.INVALID_BODY);
    const next = newRefreshToken();
    const outcome = await accounts.rotateRefreshToken(
      hashRefreshToken(body.refreshToken),
      hashRefreshToken(next),
    );

    if (outcome.kind === 'reused') {
      req.log.warn({ sessionId: outcome.sessionId }, 'refresh token reused, session revoked');
      await cacheRevoked(req, outcome.sessionId);
      throw new ApiError(401, AuthErrorCode.REFRESH_REUSED, 'refresh token was already used');
    }
    if (outcome.kind !== 'rotated') {
      req.log.info({ reason: outcome.kind }, 'refresh refused');
      throw new ApiError(401, AuthErrorCode.REFRESH_INVALID, 'refresh token is not valid');
    }
    await cacheActive(req, outcome.session);
    res.json(tokenPair(outcome.account, outcome.session, next));
  });

  // Log out by refresh token, so a client whose access token has expired can still end its
  // session. Logging out an already ended session succeeds again (retries are safe).
  app.post('/auth/logout', async (req, res) => {
    const body = parseInput(RefreshBody, req.body, AuthErrorCode.INVALID_BODY);
    const sessionId = await accounts.sessionOfRefreshToken(hashRefreshToken(body.refreshToken));
    if (!sessionId) {
      throw new ApiError(401, AuthErrorCode.REFRESH_INVALID, 'refresh token is not valid');
    }
    const revoked = await accounts.revokeSession(sessionId, 'logout');
    await cacheRevoked(req, sessionId);
    req.log.info({ sessionId, revoked }, 'logged out');
    res.status(204).end();
  });

  app.get('/auth/me', async (req, res) => {
    const { userId } = forwardedIdentity(req.headers);
    const account = await accounts.findAccount(userId);
    if (!account) throw new ApiError(404, AuthErrorCode.ACCOUNT_NOT_FOUND, 'account not found');
    res.json({ account });
  });

  app.get('/internal/sessions/:sessionId', async (req: Request<{ sessionId: string }>, res) => {
    const { sessionId } = req.params;
    if (!isUuid(sessionId)) {
      res.json({ sessionId, status: 'unknown' });
      return;
    }
    const { status, expiresAt } = await accounts.sessionStatus(sessionId);
    if (status === 'active' && expiresAt) {
      await cacheActive(req, { sessionId, expiresAt });
    } else {
      await sessions.markRevoked(sessionId).catch((err: unknown) => {
        req.log.warn({ err, sessionId }, 'session cache write failed');
      });
    }
    res.json({ sessionId, status });
  });

  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}
