import type { SessionCache } from '../auth/session-cache.ts';
import { ApiError } from '../lib/http-errors.ts';
import type { Logger } from '../lib/logger.ts';
import { ForwardedHeader } from './contract.ts';

/** The request a check is made for: its logger and id, passed on to the auth service. */
export interface CheckContext {
  log: Logger;
  requestId: string;
}

/** Whether a session may still use its access tokens. */
export interface SessionChecker {
  isActive(sessionId: string, context: CheckContext): Promise<boolean>;
}

export const SESSION_CHECK_UNAVAILABLE = 'gateway/session_check_unavailable';

/**
 * Answers from the Redis session cache, and on a miss (or when Redis fails) asks the auth
 * service, which reads PostgreSQL and fills the cache again. When neither can answer, the
 * request is refused with 503: a revoked session must never pass for lack of an answer.
 */
export function createSessionChecker(
  cache: SessionCache,
  authUrl: string,
  timeoutMs = 2_000,
): SessionChecker {
  return {
    async isActive(sessionId, { log, requestId }) {
      const cached = await cache.get(sessionId).catch((err: unknown) => {
        log.warn({ err }, 'session cache read failed');
        return null;
      });
      if (cached) return cached === 'active';

      const url = new URL(`/internal/sessions/${encodeURIComponent(sessionId)}`, authUrl);
      try {
        const response = await fetch(url, {
          headers: { [ForwardedHeader.REQUEST_ID]: requestId },
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!response.ok) throw new Error(`auth service answered ${response.status}`);
        const body = (await response.json()) as { status?: unknown };
        return body.status === 'active';
      } catch (err) {
        log.error({ err, sessionId }, 'session check failed');
        throw new ApiError(503, SESSION_CHECK_UNAVAILABLE, 'cannot check the session; retry');
      }
    },
  };
}
