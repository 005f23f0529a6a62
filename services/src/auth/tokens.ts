import { createHash, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER, TOKEN_ALGORITHM } from '../lib/token-verifier.ts';
import type { SigningKey } from './keys.ts';

/** Default life of an access token, in seconds. */
export const ACCESS_TOKEN_TTL_SEC = 600;

/** Who an access token is issued to. */
export interface TokenClaims {
  userId: string;
  username: string;
  sessionId: string;
}

export interface IssuedAccessToken {
  token: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** Signs access tokens: ES256 with the key's id in the header, and the claims verifiers pin. */
export function createAccessTokenSigner(key: SigningKey, ttlSec = ACCESS_TOKEN_TTL_SEC) {
  return {
    ttlSec,
    sign(claims: TokenClaims): IssuedAccessToken {
      const issuedAt = Math.floor(Date.now() / 1000);
      const expiresAt = issuedAt + ttlSec;
      const payload = {
        name: claims.username,
        sid: claims.sessionId,
        iat: issuedAt,
        exp: expiresAt,
      };
      const token = jwt.sign(payload, key.privateKey, {
        algorithm: TOKEN_ALGORITHM,
        keyid: key.kid,
        issuer: DEFAULT_ISSUER,
        audience: DEFAULT_AUDIENCE,
        subject: claims.userId,
      });
      return { token, expiresAt };
    },
  };
}

export type AccessTokenSigner = ReturnType<typeof createAccessTokenSigner>;

/** Length of a refresh token's text: 32 random bytes in base64url. */
export const REFRESH_TOKEN_LENGTH = 43;

/**
 * A new opaque refresh token. It carries 256 bits of randomness, so a plain SHA-256 is enough to
 * store it: no one can guess a token from its hash, and the hash finds its row directly.
 */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
