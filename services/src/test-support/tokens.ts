import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER, TOKEN_ALGORITHM } from '../lib/token-verifier.ts';

/** An ES256 key pair for tests that need tokens without running the auth service. */
export interface TestSigner {
  kid: string;
  publicKey: KeyObject;
  keys: ReadonlyMap<string, KeyObject>;
  sign(claims: { userId: string; username: string; sessionId?: string }, ttlSec?: number): string;
}

export function createTestSigner(): TestSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = `test-${randomUUID()}`;
  return {
    kid,
    publicKey,
    keys: new Map([[kid, publicKey]]),
    sign(claims, ttlSec = 900) {
      return jwt.sign(
        { name: claims.username, sid: claims.sessionId ?? randomUUID() },
        privateKey,
        {
          algorithm: TOKEN_ALGORITHM,
          keyid: kid,
          issuer: DEFAULT_ISSUER,
          audience: DEFAULT_AUDIENCE,
          subject: claims.userId,
          expiresIn: ttlSec,
        },
      );
    },
  };
}
