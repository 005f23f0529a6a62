/** Whether the session behind an access token is still live: not logged out, not revoked. */
export interface SessionLiveness {
  /** Resolves to false for a session that may no longer play; rejects when it cannot tell. */
  isActive(sessionId: string): Promise<boolean>;
}

/**
 * Asks the auth service (`GET /internal/sessions/:id`, which reads its Redis cache and
 * PostgreSQL). An access token outlives a log out by up to its lifetime; checking at join
 * keeps a logged-out or stolen session from starting ranked runs.
 */
export function authSessionLiveness(authUrl: string, timeoutMs = 2_000): SessionLiveness {
  return {
    async isActive(sessionId) {
      const url = new URL(`/internal/sessions/${encodeURIComponent(sessionId)}`, authUrl);
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`auth service answered ${response.status}`);
      const body = (await response.json()) as { status?: unknown };
      return body.status === 'active';
    },
  };
}
