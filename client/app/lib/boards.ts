import type { BoardEntry, BoardPage, Season } from './api-types';

/** The leaderboard service's routes, all under `/leaderboard` on the gateway. */
export const BoardRoutes = {
  seasons: () => '/leaderboard/seasons',
  top: (seasonId: string, cursor: string | null, limit: number) =>
    `/leaderboard/seasons/${encodeURIComponent(seasonId)}/top?limit=${limit}` +
    (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''),
  aroundMe: (seasonId: string) => `/leaderboard/seasons/${encodeURIComponent(seasonId)}/around-me`,
  friends: (seasonId: string) => `/leaderboard/seasons/${encodeURIComponent(seasonId)}/friends`,
} as const;

/** Reads a board answer whatever its list is called, into entries and the next cursor. */
export function readBoard(body: unknown): BoardPage {
  const value = (body ?? {}) as Record<string, unknown>;
  const list = (value.entries ?? value.items ?? value.ranks ?? []) as Record<string, unknown>[];
  const entries: BoardEntry[] = list.map((row) => ({
    rank: Number(row.rank ?? 0),
    userId: String(row.userId ?? ''),
    displayName: String(row.displayName ?? row.username ?? row.userId ?? ''),
    skin: typeof row.skin === 'string' ? row.skin : undefined,
    score: Number(row.score ?? 0),
    runId: typeof row.runId === 'string' ? row.runId : undefined,
    distance: typeof row.distance === 'number' ? row.distance : undefined,
  }));
  const cursor = value.nextCursor ?? value.cursor ?? null;
  return { entries, nextCursor: typeof cursor === 'string' && cursor ? cursor : null };
}

/** Reads a seasons list answer. */
export function readSeasons(body: unknown): Season[] {
  const value = (body ?? {}) as { seasons?: Season[] };
  return Array.isArray(value.seasons) ? value.seasons : [];
}
