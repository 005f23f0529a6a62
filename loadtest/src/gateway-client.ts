/** What the REST gateway answers a bot's account calls with. */
export interface Session {
  userId: string;
  username: string;
  accessToken: string;
  refreshToken: string;
  /** `performance.now()` after which the access token should be refreshed. */
  refreshAt: number;
}

export interface CurrentSeason {
  seasonId: string;
  seed: number;
}

/** A player's row on a season board, when the player has one. */
export interface BoardEntry {
  rank: number;
  userId: string;
  score: number;
  runId: string;
}

/** A refused REST call: the status and the service's stable error code. */
export class GatewayError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'GatewayError';
    this.status = status;
    this.code = code;
  }
}

/** Rate-limited calls are retried this many times, honouring `retry-after`. */
const RATE_LIMIT_RETRIES = 8;
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * The public REST entry as a player's client uses it: register, log in, refresh, "me", the
 * current season and a player's board row, all through the gateway.
 */
export class GatewayClient {
  private readonly base: string;

  constructor(gatewayUrl: string) {
    this.base = gatewayUrl.replace(/\/+$/, '');
  }

  async register(username: string, password: string): Promise<Session> {
    return toSession(await this.call('POST', '/auth/register', { body: { username, password } }));
  }

  async login(username: string, password: string): Promise<Session> {
    return toSession(await this.call('POST', '/auth/login', { body: { username, password } }));
  }

  async refresh(session: Session): Promise<Session> {
    const body = { refreshToken: session.refreshToken };
    return toSession(await this.call('POST', '/auth/refresh', { body }));
  }

  /** The signed-in account, through the gateway's token check. */
  async me(session: Session): Promise<{ id: string; username: string }> {
    const answer = (await this.call('GET', '/auth/me', { token: session.accessToken })) as {
      account: { id: string; username: string };
    };
    return answer.account;
  }

  async currentSeason(): Promise<CurrentSeason> {
    const answer = (await this.call('GET', '/leaderboard/seasons/current', {})) as {
      season: { id: string };
      seed: number;
    };
    return { seasonId: answer.season.id, seed: answer.seed };
  }

  async boardEntry(seasonId: string, userId: string): Promise<BoardEntry | null> {
    const path = `/leaderboard/seasons/${encodeURIComponent(seasonId)}/players/${userId}`;
    const answer = (await this.call('GET', path, {})) as { entry: BoardEntry | null };
    return answer.entry;
  }

  /** The first `limit` rows of a season board. */
  async top(seasonId: string, limit: number): Promise<BoardEntry[]> {
    const path = `/leaderboard/seasons/${encodeURIComponent(seasonId)}/top?limit=${limit}`;
    const answer = (await this.call('GET', path, {})) as { entries: BoardEntry[] };
    return answer.entries;
  }

  private async call(
    method: string,
    path: string,
    request: { body?: unknown; token?: string },
  ): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {};
      if (request.body !== undefined) headers['content-type'] = 'application/json';
      if (request.token) headers.authorization = `Bearer ${request.token}`;
      const response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (response.status === 429 && attempt < RATE_LIMIT_RETRIES) {
        const retryAfterSec = Number(response.headers.get('retry-after')) || 1;
        await response.body?.cancel();
        await sleep(Math.min(retryAfterSec, 30) * 1000 * (0.5 + Math.random()));
        continue;
      }
      const text = await response.text();
      const body = text ? (JSON.parse(text) as unknown) : null;
      if (response.ok) return body;
      const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
      throw new GatewayError(
        response.status,
        error?.code ?? `http/${response.status}`,
        `${method} ${path}: ${response.status} ${error?.message ?? ''}`.trim(),
      );
    }
  }
}

function toSession(body: unknown): Session {
  const answer = body as {
    account: { id: string; username: string };
    accessToken: string;
    refreshToken: string;
    expiresIn: number;
  };
  return {
    userId: answer.account.id,
    username: answer.account.username,
    accessToken: answer.accessToken,
    refreshToken: answer.refreshToken,
    refreshAt: performance.now() + answer.expiresIn * 800,
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
