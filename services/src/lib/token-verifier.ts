import { createPublicKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** The only signature algorithm Truerun issues and accepts. */
export const TOKEN_ALGORITHM = 'ES256';
export const DEFAULT_ISSUER = 'truerun-auth';
export const DEFAULT_AUDIENCE = 'truerun';

/** Who an access token speaks for. */
export interface TokenSubject {
  userId: string;
  username: string;
  sessionId: string;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
}

/** Why a token was refused; stable codes a caller can answer with. */
export const TokenErrorCode = {
  MISSING: 'auth/token_missing',
  INVALID: 'auth/token_invalid',
  EXPIRED: 'auth/token_expired',
  UNKNOWN_KEY: 'auth/token_unknown_key',
} as const;

export type TokenErrorCode = (typeof TokenErrorCode)[keyof typeof TokenErrorCode];

export class TokenError extends Error {
  readonly code: TokenErrorCode;

  constructor(code: TokenErrorCode, message: string) {
    super(message);
    this.name = 'TokenError';
    this.code = code;
  }
}

/** Where verification keys come from: a JWKS URL, or keys given directly (tests, one process). */
export type KeySource =
  { jwksUrl: string; minRefreshIntervalMs?: number } | { keys: ReadonlyMap<string, KeyObject> };

export interface TokenVerifierOptions {
  keys: KeySource;
  issuer?: string;
  audience?: string;
  /** Allowed clock difference in seconds. Default 5. */
  clockToleranceSec?: number;
}

export interface TokenVerifier {
  /** Verifies signature, algorithm, issuer, audience and expiry; throws a `TokenError`. */
  verify(token: string | undefined): Promise<TokenSubject>;
}

/**
 * Verifies Truerun access tokens with the auth service's public keys. The algorithm is pinned
 * to ES256, so `alg: none` and HMAC tokens signed with a public key are refused. Keys from a
 * JWKS URL are cached by key id and fetched again, at most once per refresh interval, when a
 * token names a key id not seen yet.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const issuer = options.issuer ?? DEFAULT_ISSUER;
  const audience = options.audience ?? DEFAULT_AUDIENCE;
  const tolerance = options.clockToleranceSec ?? 5;
  const keyFor = keyResolver(options.keys);

  return {
    async verify(token) {
      if (!token) throw new TokenError(TokenErrorCode.MISSING, 'no access token');
      const decoded = jwt.decode(token, { complete: true });
      if (!decoded || typeof decoded.payload === 'string') {
        throw new TokenError(TokenErrorCode.INVALID, 'access token is malformed');
      }
      if (decoded.header.alg !== TOKEN_ALGORITHM) {
        throw new TokenError(TokenErrorCode.INVALID, 'access token algorithm is not accepted');
      }
      const key = await keyFor(decoded.header.kid);

      let payload: jwt.JwtPayload;
      try {
        payload = jwt.verify(token, key, {
          algorithms: [TOKEN_ALGORITHM],
          issuer,
          audience,
          clockTolerance: tolerance,
          complete: false,
        }) as jwt.JwtPayload;
      } catch (err) {
        if (err instanceof jwt.TokenExpiredError) {
          throw new TokenError(TokenErrorCode.EXPIRED, 'access token has expired');
        }
        throw new TokenError(TokenErrorCode.INVALID, 'access token is not valid');
      }
      return toSubject(payload);
    },
  };
}

function toSubject(payload: jwt.JwtPayload): TokenSubject {
  const { sub, name, sid, exp } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || typeof name !== 'string' || typeof sid !== 'string') {
    throw new TokenError(TokenErrorCode.INVALID, 'access token lacks its claims');
  }
  if (typeof exp !== 'number') {
    throw new TokenError(TokenErrorCode.INVALID, 'access token has no expiry');
  }
  return { userId: sub, username: name, sessionId: sid, expiresAt: exp };
}

function keyResolver(source: KeySource): (kid: string | undefined) => Promise<KeyObject> {
  if ('keys' in source) {
    return async (kid) => {
      const key = kid ? source.keys.get(kid) : undefined;
      if (!key) throw new TokenError(TokenErrorCode.UNKNOWN_KEY, 'access token key is unknown');
      return key;
    };
  }

  const cache = new Map<string, KeyObject>();
  const minInterval = source.minRefreshIntervalMs ?? 30_000;
  let lastFetch = 0;
  let inFlight: Promise<void> | null = null;

  const refresh = async () => {
    const response = await fetch(source.jwksUrl, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`JWKS request answered ${response.status}`);
    const body = (await response.json()) as { keys?: (JsonWebKey & { kid?: string })[] };
    for (const jwk of body.keys ?? []) {
      if (typeof jwk.kid !== 'string') continue;
      cache.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
    }
  };

  return async (kid) => {
    if (!kid) throw new TokenError(TokenErrorCode.UNKNOWN_KEY, 'access token names no key');
    const cached = cache.get(kid);
    if (cached) return cached;
    if (Date.now() - lastFetch >= minInterval || cache.size === 0) {
      lastFetch = Date.now();
      inFlight ??= refresh().finally(() => (inFlight = null));
      await inFlight;
    }
    const key = cache.get(kid);
    if (!key) throw new TokenError(TokenErrorCode.UNKNOWN_KEY, 'access token key is unknown');
    return key;
  };
}
