import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeaderboardApp } from '../src/leaderboard/app.ts';
import type { BoardEntry } from '../src/leaderboard/app.ts';
import { PlayerClient } from '../src/leaderboard/player-client.ts';
import { decodeResult } from '../src/leaderboard/result-message.ts';
import type { VerifiedRun } from '../src/leaderboard/result-message.ts';
import { PgResultStore, readRankedBests } from '../src/leaderboard/result-store.ts';
import type { SeasonBest } from '../src/leaderboard/result-store.ts';
import type { Season } from '../src/leaderboard/seasons.ts';
import { Harness, currentAndPastSeasons, resultBody, silentLog } from './leaderboard-harness.ts';

let h: Harness;
let season: Season;
let past: Season;
let api: Server;
let players: Server;
let baseUrl: string;
let board: SeasonBest[];
const users = Array.from({ length: 250 }, () => randomUUID());
const friendsOf = new Map<string, string[]>();
let playerServiceDown = false;

async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Stand-in for the player service's two internal routes. */
function playerService(): express.Express {
  const app = express();
  app.use(express.json());
  app.get('/internal/friends/:userId', (req, res) => {
    if (playerServiceDown) return void res.status(500).json({ error: { code: 'internal' } });
    res.json({ userIds: friendsOf.get(req.params.userId) ?? [] });
  });
  app.post('/internal/profiles', (req, res) => {
    if (playerServiceDown) return void res.status(500).json({ error: { code: 'internal' } });
    const ids = (req.body as { userIds: string[] }).userIds;
    res.json({
      profiles: ids.map((userId) => ({
        userId,
        displayName: `P-${userId.slice(0, 4)}`,
        skin: 'red',
      })),
    });
  });
  return app;
}

function toRun(body: ReturnType<typeof resultBody>): VerifiedRun {
  const decoded = decodeResult(Buffer.from(JSON.stringify(body)), body.runId);
  if (!decoded.ok) throw new Error(decoded.detail);
  return decoded.run;
}

async function get(path: string, userId?: string) {
  const response = await fetch(`${baseUrl}${path}`, {
    headers: userId ? { 'x-user-id': userId } : {},
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

beforeAll(async () => {
  h = await Harness.open('api');
  [season, past] = await currentAndPastSeasons(h, 'api');

  const store = new PgResultStore(h.stores.pool);
  const runs = users.flatMap((userId, i) => [
    toRun(
      resultBody(season, {
        userId,
        score: 10 * (i % 60),
        startedAtMs: season.startsAtMs + (i % 7),
      }),
    ),
    toRun(resultBody(season, { userId, score: 5 * (i % 90), startedAtMs: season.startsAtMs + 9 })),
  ]);
  runs.push(toRun(resultBody(past, { userId: users[0] as string, score: 777 })));
  for (let i = 0; i < runs.length; i += 100) {
    const bests = await store.record(runs.slice(i, i + 100));
    for (const target of [season, past]) {
      await h.stores.index.push(
        target,
        bests.filter((b) => b.seasonId === target.id),
        false,
      );
    }
  }
  board = await readRankedBests(h.stores.pool, season.id, 1000);

  const stand = await listen(playerService());
  players = stand.server;
  const app = createLeaderboardApp({
    seasons: h.stores.seasons,
    index: h.stores.index,
    guard: h.stores.guard,
    players: new PlayerClient({ baseUrl: stand.url, profileTtlMs: 0 }),
    log: silentLog,
    defaultSeasons: false,
  });
  const served = await listen(app);
  api = served.server;
  baseUrl = served.url;
});

afterAll(async () => {
  await new Promise((resolve) => api?.close(resolve));
  await new Promise((resolve) => players?.close(resolve));
  await h?.close();
});

const view = (entry: SeasonBest, rank: number): BoardEntry => ({
  rank,
  userId: entry.userId,
  displayName: `P-${entry.userId.slice(0, 4)}`,
  skin: 'red',
  score: entry.score,
  runId: entry.runId,
  startedAt: new Date(entry.startedAtMs).toISOString(),
});

describe('top of a season', () => {
  it('pages through the whole board with cursors, in the tie rule order', async () => {
    const seen: BoardEntry[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const query: string = cursor ? `?limit=100&cursor=${cursor}` : '?limit=100';
      const { status, body } = await get(`/leaderboard/seasons/${season.id}/top${query}`);
      expect(status).toBe(200);
      expect(body.total).toBe(250);
      seen.push(...body.entries);
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(board.map((entry, i) => view(entry, i + 1)));
  });

  it('resumes after the cursor entry even when its player has since moved up', async () => {
    const first = await get(`/leaderboard/seasons/${season.id}/top?limit=10`);
    const mover = board[9] as SeasonBest;
    const store = new PgResultStore(h.stores.pool);
    const bests = await store.record([
      toRun(resultBody(season, { userId: mover.userId, score: 5000 })),
    ]);
    await h.stores.index.push(season, bests, true);

    const second = await get(
      `/leaderboard/seasons/${season.id}/top?limit=10&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.entries.map((e: BoardEntry) => e.userId)).toEqual(
      board.slice(10, 20).map((e) => e.userId),
    );
    expect(second.body.entries[0].rank).toBe(11);
    const moved = await get(`/leaderboard/seasons/current/top?limit=1`);
    expect(moved.body.season).toEqual({ id: season.id });
    expect(moved.body.entries[0]).toMatchObject({ rank: 1, userId: mover.userId, score: 5000 });
    board = await readRankedBests(h.stores.pool, season.id, 1000);
  });

  it('reads past seasons, and rebuilds an index that went missing before answering', async () => {
    await h.stores.index.clear(past.id);
    const { status, body } = await get(`/leaderboard/seasons/${past.id}/top`);
    expect(status).toBe(200);
    expect(body.entries).toMatchObject([{ rank: 1, userId: users[0], score: 777 }]);
    expect(body.nextCursor).toBeNull();
  });
});

describe('a player and the players around them', () => {
  it('answers the rank and the neighbours of the signed-in player', async () => {
    const me = board[42] as SeasonBest;
    const { status, body } = await get(
      `/leaderboard/seasons/${season.id}/around-me?before=3&after=2`,
      me.userId,
    );
    expect(status).toBe(200);
    expect(body.me).toEqual(view(me, 43));
    expect(body.entries).toEqual(board.slice(39, 45).map((e, i) => view(e, 40 + i)));

    const leader = board[0] as SeasonBest;
    const top = await get(`/leaderboard/seasons/${season.id}/around-me`, leader.userId);
    expect(top.body.entries.map((e: BoardEntry) => e.rank)).toEqual([1, 2, 3, 4, 5, 6]);

    const stranger = await get(`/leaderboard/seasons/${season.id}/around-me`, randomUUID());
    expect(stranger.body).toMatchObject({ me: null, entries: [], total: 250 });
  });

  it('answers any player rank by id', async () => {
    const someone = board[100] as SeasonBest;
    const { body } = await get(`/leaderboard/seasons/${season.id}/players/${someone.userId}`);
    expect(body.entry).toEqual(view(someone, 101));
  });

  it('ranks the player among their friends, by the global order', async () => {
    const me = board[7] as SeasonBest;
    const friends = [board[3], board[200], board[50]].map((e) => (e as SeasonBest).userId);
    const noRuns = randomUUID();
    friendsOf.set(me.userId, [...friends, noRuns]);
    const { status, body } = await get(`/leaderboard/seasons/${season.id}/friends`, me.userId);
    expect(status).toBe(200);
    expect(
      body.entries.map((e: BoardEntry & { position: number }) => [e.position, e.rank]),
    ).toEqual([
      [1, 4],
      [2, 8],
      [3, 51],
      [4, 201],
    ]);
    expect(body.unranked).toBe(1);
  });
});

describe('errors', () => {
  it('answers bad input with stable codes', async () => {
    const forged = Buffer.from('[1,"x"]').toString('base64url');
    const cases: [string, string | undefined, number, string][] = [
      [
        `/leaderboard/seasons/${season.id}/top?limit=0`,
        undefined,
        400,
        'leaderboard/invalid_query',
      ],
      [
        `/leaderboard/seasons/${season.id}/top?limit=abc`,
        undefined,
        400,
        'leaderboard/invalid_query',
      ],
      [
        `/leaderboard/seasons/${season.id}/top?cursor=nope`,
        undefined,
        400,
        'leaderboard/invalid_cursor',
      ],
      [
        `/leaderboard/seasons/${season.id}/top?cursor=${forged}`,
        undefined,
        400,
        'leaderboard/invalid_cursor',
      ],
      ['/leaderboard/seasons/no-such-season/top', undefined, 404, 'leaderboard/season_not_found'],
      ['/leaderboard/seasons/%E2%9C%93/top', undefined, 404, 'leaderboard/season_not_found'],
      [
        `/leaderboard/seasons/${season.id}/around-me`,
        undefined,
        401,
        'leaderboard/unauthenticated',
      ],
      [
        `/leaderboard/seasons/${season.id}/around-me`,
        'not-a-uuid',
        400,
        'leaderboard/invalid_user',
      ],
      [
        `/leaderboard/seasons/${season.id}/around-me?before=51`,
        randomUUID(),
        400,
        'leaderboard/invalid_query',
      ],
      [`/leaderboard/seasons/${season.id}/players/42`, undefined, 400, 'leaderboard/invalid_user'],
      ['/leaderboard/nothing-here', undefined, 404, 'request/not_found'],
    ];
    for (const [path, userId, status, code] of cases) {
      const answer = await get(path, userId);
      expect([path, answer.status, answer.body.error?.code]).toEqual([path, status, code]);
    }
  });

  it('answers without names when profiles fail, and 503 when friends cannot be read', async () => {
    playerServiceDown = true;
    try {
      const top = await get(`/leaderboard/seasons/${season.id}/top?limit=2`);
      expect(top.status).toBe(200);
      expect(top.body.entries[0]).toMatchObject({ rank: 1, displayName: null, skin: null });

      const friends = await get(`/leaderboard/seasons/${season.id}/friends`, users[0]);
      expect(friends.status).toBe(503);
      expect(friends.body.error.code).toBe('leaderboard/player_service_unavailable');
    } finally {
      playerServiceDown = false;
    }
  });
});
