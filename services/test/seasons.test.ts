import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeaderboardApp } from '../src/leaderboard/app.ts';
import type { PlayerDirectory } from '../src/leaderboard/player-client.ts';
import { DeadLetterReason } from '../src/leaderboard/result-message.ts';
import {
  SeasonError,
  SeasonErrorCode,
  seedAt,
  weeklySeasonAt,
} from '../src/leaderboard/seasons.ts';
import type { Season } from '../src/leaderboard/seasons.ts';
import { ResultHeader } from '../src/leaderboard/topology.ts';
import { Harness, resultBody, silentLog } from './leaderboard-harness.ts';

const DAY = 24 * 3600 * 1000;
const noPlayers: PlayerDirectory = {
  friends: async () => [],
  profiles: async () => new Map(),
};

describe('weekly seasons', () => {
  it('run from Monday 00:00 UTC to the next Monday, with seven seeds', () => {
    const friday = weeklySeasonAt(Date.parse('2026-12-04T15:37:00Z'));
    expect(friday.id).toBe('weekly-2026-11-30');
    expect(new Date(friday.startsAtMs).toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(new Date(friday.endsAtMs).toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(friday.seeds).toHaveLength(7);
    expect(weeklySeasonAt(Date.parse('2026-12-06T23:59:59.999Z')).id).toBe('weekly-2026-11-30');
    expect(weeklySeasonAt(Date.parse('2026-12-07T00:00:00.000Z')).id).toBe('weekly-2026-12-07');
    expect(weeklySeasonAt(Date.parse('2026-11-30T00:00:00.000Z')).seeds).toEqual(friday.seeds);
  });

  it('change seed at each equal slot of the season', () => {
    const season: Season = {
      id: 's',
      name: 's',
      startsAtMs: 0,
      endsAtMs: 7 * DAY,
      seeds: [1, 2, 3, 4, 5, 6, 7],
    };
    expect(seedAt(season, 0)).toBe(1);
    expect(seedAt(season, DAY - 1)).toBe(1);
    expect(seedAt(season, DAY)).toBe(2);
    expect(seedAt(season, 7 * DAY - 1)).toBe(7);
  });
});

describe('seasons in PostgreSQL', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.open('seasons');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('create the current weekly season once, however many instances ask at once', async () => {
    const at = Date.parse('2030-01-09T12:00:00Z');
    const seasons = await Promise.all([1, 2, 3, 4].map(() => h.stores.seasons.ensureAt(at)));
    expect(new Set(seasons.map((s) => s.id))).toEqual(new Set(['weekly-2030-01-07']));
    const { rows } = await h.stores.pool.query(
      `SELECT count(*)::int AS n FROM leaderboard_seasons WHERE id = 'weekly-2030-01-07'`,
    );
    expect(rows[0].n).toBe(1);
  });

  it('fit the default weekly season between existing seasons', async () => {
    const custom = await h.stores.seasons.create({
      id: 'winter-cup',
      name: 'Winter Cup',
      startsAtMs: Date.parse('2030-02-04T00:00:00Z'),
      endsAtMs: Date.parse('2030-02-06T12:00:00Z'),
      seeds: [5],
    });
    const after = await h.stores.seasons.ensureAt(Date.parse('2030-02-07T00:00:00Z'));
    expect(after.startsAtMs).toBe(custom.endsAtMs);
    expect(after.endsAtMs).toBe(Date.parse('2030-02-11T00:00:00Z'));
    expect(after.id).toBe('weekly-2030-02-06t12-00-00-000z');
    expect(await h.stores.seasons.ensureAt(Date.parse('2030-02-05T00:00:00Z'))).toEqual(custom);
  });

  it('refuse overlapping, duplicate and over-long seasons with a named reason', async () => {
    const base = {
      name: 'x',
      startsAtMs: Date.parse('2031-01-01T00:00:00Z'),
      endsAtMs: Date.parse('2031-01-08T00:00:00Z'),
      seeds: [1],
    };
    await h.stores.seasons.create({ ...base, id: 'jan-2031' });
    const codeOf = (season: Season) =>
      h.stores.seasons.create(season).then(
        () => 'created',
        (err: unknown) => (err instanceof SeasonError ? err.code : 'other'),
      );
    expect(await codeOf({ ...base, id: 'jan-2031-b', startsAtMs: base.endsAtMs - 1 })).toBe(
      SeasonErrorCode.OVERLAPS,
    );
    expect(
      await codeOf({
        ...base,
        id: 'jan-2031',
        startsAtMs: base.endsAtMs,
        endsAtMs: base.endsAtMs + DAY,
      }),
    ).toBe(SeasonErrorCode.EXISTS);
    expect(await codeOf({ ...base, id: 'too-long', startsAtMs: 0, endsAtMs: 100 * DAY })).toBe(
      SeasonErrorCode.INVALID,
    );
    expect(await codeOf({ ...base, id: 'Bad Id', startsAtMs: 0, endsAtMs: DAY })).toBe(
      SeasonErrorCode.INVALID,
    );
  });
});

describe('season rollover at the boundary instant', () => {
  let h: Harness;
  let server: Server;
  let baseUrl: string;
  let clock = 0;
  const boundary = Date.parse('2032-03-01T00:00:00Z');
  const old: Season = {
    id: 'rollover-old',
    name: 'Old',
    startsAtMs: boundary - 7 * DAY,
    endsAtMs: boundary,
    seeds: [101, 102],
  };
  const next: Season = {
    id: 'rollover-new',
    name: 'New',
    startsAtMs: boundary,
    endsAtMs: boundary + 7 * DAY,
    seeds: [201],
  };

  beforeAll(async () => {
    h = await Harness.open('rollover');
    await h.stores.seasons.create(old);
    await h.stores.seasons.create(next);
    const app = createLeaderboardApp({
      seasons: h.stores.seasons,
      index: h.stores.index,
      guard: h.stores.guard,
      players: noPlayers,
      log: silentLog,
      now: () => clock,
      defaultSeasons: false,
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await h?.close();
  });

  const current = async () => (await fetch(`${baseUrl}/leaderboard/seasons/current`)).json();

  it('switches the current season and seed exactly at the boundary', async () => {
    clock = boundary - 1;
    expect(await current()).toEqual({
      season: {
        id: old.id,
        name: 'Old',
        startsAt: new Date(old.startsAtMs).toISOString(),
        endsAt: '2032-03-01T00:00:00.000Z',
        seeds: [101, 102],
      },
      seed: 102,
      nextResetAt: '2032-03-01T00:00:00.000Z',
    });

    clock = boundary;
    expect(await current()).toMatchObject({
      season: { id: next.id },
      seed: 201,
      nextResetAt: '2032-03-08T00:00:00.000Z',
    });

    clock = next.endsAtMs;
    const none = await fetch(`${baseUrl}/leaderboard/seasons/current`);
    expect(none.status).toBe(404);
    expect((await none.json()).error.code).toBe('leaderboard/no_current_season');
  });

  it('counts a run started before the boundary in the old season, arriving after it', async () => {
    const user = randomUUID();
    const lastMoment = resultBody(old, {
      userId: user,
      score: 400,
      startedAtMs: boundary - 1,
      seed: 102,
      endedAt: new Date(boundary + 120_000).toISOString(),
    });
    const claimsOld = resultBody(old, {
      userId: user,
      score: 900,
      startedAtMs: boundary,
      seed: 102,
    });
    const firstMoment = resultBody(next, {
      userId: user,
      score: 300,
      startedAtMs: boundary,
      seed: 201,
    });

    clock = boundary + 120_000;
    await h.startWorker();
    await h.publish([lastMoment, claimsOld, firstMoment]);
    await h.settled(next, 2);
    await h.stopWorkers();

    expect((await h.boards(old)).redis).toEqual([
      {
        seasonId: old.id,
        userId: user,
        runId: lastMoment.runId,
        score: 400,
        startedAtMs: boundary - 1,
      },
    ]);
    expect((await h.boards(next)).redis).toEqual([
      {
        seasonId: next.id,
        userId: user,
        runId: firstMoment.runId,
        score: 300,
        startedAtMs: boundary,
      },
    ]);
    expect((await h.check(old)).equal).toBe(true);
    const dead = await h.drainDeadLetters();
    expect(dead.map((msg) => msg.properties.messageId)).toEqual([claimsOld.runId]);
    expect(dead[0]?.properties.headers?.[ResultHeader.REASON]).toBe(
      DeadLetterReason.OUTSIDE_SEASON,
    );

    const past = await fetch(`${baseUrl}/leaderboard/seasons/${old.id}/top`);
    expect((await past.json()).entries).toMatchObject([{ rank: 1, userId: user, score: 400 }]);
  });
});
