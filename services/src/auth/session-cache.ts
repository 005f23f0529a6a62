import type { Redis } from 'ioredis';

/** What the cache knows of a session; `null` when it knows nothing and PostgreSQL decides. */
export type CachedSessionState = 'active' | 'revoked';

/**
 * The Redis copy of which sessions are alive, read by the gateway on every authenticated request
 * and written by the auth service. PostgreSQL stays the truth: a miss is looked up there and
 * cached again. Entries live no longer than an access token, so a lost write is corrected
 * within one token lifetime.
 */
export interface SessionCache {
  get(sessionId: string): Promise<CachedSessionState | null>;
  markActive(sessionId: string, ttlSec: number): Promise<void>;
  markRevoked(sessionId: string): Promise<void>;
}

/**
 * `entryTtlSec` bounds every entry; it should be at least the access token lifetime, so a
 * revoked session stays marked for as long as any of its tokens can still verify.
 */
export function createSessionCache(redis: Redis, keyPrefix: string, entryTtlSec: number) {
  const key = (sessionId: string) => `${keyPrefix}session:${sessionId}`;
  const cache: SessionCache = {
    async get(sessionId) {
      const value = await redis.get(key(sessionId));
      return value === 'active' || value === 'revoked' ? value : null;
    },
    // Only into an empty slot: a revoked session never becomes active again, so a slow
    // refresh that finishes after a concurrent log out cannot undo the revocation.
    async markActive(sessionId, ttlSec) {
      const ttl = Math.min(Math.max(1, Math.floor(ttlSec)), entryTtlSec);
      await redis.set(key(sessionId), 'active', 'EX', ttl, 'NX');
    },
    async markRevoked(sessionId) {
      await redis.set(key(sessionId), 'revoked', 'EX', entryTtlSec);
    },
  };
  return cache;
}
