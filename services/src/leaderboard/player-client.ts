/** A player's public profile as the player service tells it. */
export interface PlayerProfile {
  userId: string;
  displayName: string;
  skin: string;
}

/** The player service's internal routes the leaderboard reads. */
export interface PlayerDirectory {
  /** Accepted friends of the player. */
  friends(userId: string): Promise<string[]>;
  /** Profiles of the given players; unknown players are left out. */
  profiles(userIds: readonly string[]): Promise<Map<string, PlayerProfile>>;
}

/** The player service did not answer, or answered something unexpected. */
export class PlayerServiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlayerServiceError';
  }
}

export interface PlayerClientOptions {
  baseUrl: string;
  /** Per-request timeout, ms. Default 1,000. */
  timeoutMs?: number;
  /** How long a profile is reused, ms. Default 30,000. */
  profileTtlMs?: number;
  /** Most profiles kept. Default 50,000. */
  maxProfiles?: number;
  now?: () => number;
}

/**
 * Client of the player service, with a bounded, short-lived cache of profiles: boards show
 * the same top players to everyone, and a display name may lag a rename by the cache's TTL.
 */
export class PlayerClient implements PlayerDirectory {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly ttlMs: number;
  private readonly maxProfiles: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, { profile: PlayerProfile | null; until: number }>();

  constructor(options: PlayerClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 1_000;
    this.ttlMs = options.profileTtlMs ?? 30_000;
    this.maxProfiles = options.maxProfiles ?? 50_000;
    this.now = options.now ?? Date.now;
  }

  async friends(userId: string): Promise<string[]> {
    const body = await this.request(`/internal/friends/${encodeURIComponent(userId)}`);
    const userIds = (body as { userIds?: unknown }).userIds;
    if (!Array.isArray(userIds) || !userIds.every((id) => typeof id === 'string')) {
      throw new PlayerServiceError('friends answer has no userIds');
    }
    return userIds.map((id) => id.toLowerCase());
  }

  async profiles(userIds: readonly string[]): Promise<Map<string, PlayerProfile>> {
    const now = this.now();
    const found = new Map<string, PlayerProfile>();
    const missing: string[] = [];
    for (const userId of new Set(userIds)) {
      const cached = this.cache.get(userId);
      if (cached && cached.until > now) {
        if (cached.profile) found.set(userId, cached.profile);
      } else missing.push(userId);
    }
    if (missing.length === 0) return found;

    const body = await this.request('/internal/profiles', { userIds: missing });
    const profiles = (body as { profiles?: unknown }).profiles;
    if (!Array.isArray(profiles)) throw new PlayerServiceError('profiles answer has no profiles');
    const fetched = new Map<string, PlayerProfile>();
    for (const p of profiles as Partial<PlayerProfile>[]) {
      if (typeof p.userId !== 'string' || typeof p.displayName !== 'string') continue;
      const userId = p.userId.toLowerCase();
      const skin = typeof p.skin === 'string' ? p.skin : 'default';
      fetched.set(userId, { userId, displayName: p.displayName, skin });
    }
    for (const userId of missing) {
      const profile = fetched.get(userId) ?? null;
      this.remember(userId, profile, now);
      if (profile) found.set(userId, profile);
    }
    return found;
  }

  private remember(userId: string, profile: PlayerProfile | null, now: number): void {
    if (this.cache.size >= this.maxProfiles) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.delete(userId);
    this.cache.set(userId, { profile, until: now + this.ttlMs });
  }

  private async request(path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new PlayerServiceError(`player service unreachable: ${(err as Error).message}`);
    }
    if (!response.ok) throw new PlayerServiceError(`player service answered ${response.status}`);
    try {
      return await response.json();
    } catch {
      throw new PlayerServiceError('player service answered with invalid JSON');
    }
  }
}
