import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rankMember } from '../src/leaderboard/rank-order.ts';
import { rebuildMissing, rebuildSeason } from '../src/leaderboard/rebuild.ts';
import type { Season } from '../src/leaderboard/seasons.ts';
import {
  Harness,
  REDIS_URL,
  expectedBoard,
  resultBody,
  silentLog,
  currentAndPastSeasons,
} from './leaderboard-harness.ts';

const CLI = fileURLToPath(new URL('../src/leaderboard/cli.ts', import.meta.url));
const run = promisify(execFile);

let h: Harness;
let season: Season;
let past: Season;
const bodies: ReturnType<typeof resultBody>[] = [];

/** The season's sorted set and player hash, exactly as stored. */
async function snapshot(of: Season) {
  const keys = h.stores.index.keys(of.id);
  return {
    ranks: await h.stores.redis.zrange(keys.ranks, 0, -1, 'WITHSCORES'),
    members: await h.stores.redis.hgetall(keys.members),
  };
}

async function cli(...args: string[]): Promise<{ code: number; lines: unknown[] }> {
  const env = {
    ...process.env,
    DATABASE_URL: h.db.url,
    REDIS_URL,
    LEADERBOARD_REDIS_PREFIX: h.prefix,
    LOG_LEVEL: 'silent',
  };
  try {
    const { stdout } = await run(process.execPath, [CLI, ...args], { env, timeout: 20_000 });
    return {
      code: 0,
      lines: stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    };
  } catch (err) {
    const failure = err as { code?: number; stdout?: string };
    const lines = (failure.stdout ?? '').trim().split('\n').filter(Boolean);
    return { code: failure.code ?? -1, lines: lines.map((line) => JSON.parse(line)) };
  }
}

beforeAll(async () => {
  h = await Harness.open('rebuild');
  [season, past] = await currentAndPastSeasons(h, 'rebuild');

  const users = Array.from({ length: 120 }, () => randomUUID());
  for (let i = 0; i < 500; i += 1) {
    const target = i % 5 === 0 ? past : season;
    bodies.push(
      resultBody(target, {
        userId: users[(i * 11) % users.length] as string,
        score: 50 * ((i * 7) % 13),
        startedAtMs: target.startsAtMs + 10 * ((i * 3) % 17),
      }),
    );
  }
  await h.startWorker();
  await h.publish(bodies);
  await h.settled(season, bodies.length);
  await h.stopWorkers();
});

afterAll(async () => {
  await h?.close();
});

describe('Redis rebuilt from PostgreSQL', () => {
  it('rebuilds a flushed Redis at start-up equal to before, past seasons included', async () => {
    const current = await snapshot(season);
    const previous = await snapshot(past);
    expect(current.ranks.length / 2).toBe(
      expectedBoard(bodies.filter((b) => b.seasonId === season.id)).length,
    );

    expect(await h.deleteRedisKeys()).toBe(6);
    const rebuilt = await rebuildMissing(
      h.stores.pool,
      h.stores.seasons,
      h.stores.index,
      silentLog,
    );

    expect(rebuilt.sort()).toEqual([past.id, season.id].sort());
    expect(await snapshot(season)).toEqual(current);
    expect(await snapshot(past)).toEqual(previous);
    expect((await h.check(season)).equal).toBe(true);
    expect((await h.check(past)).equal).toBe(true);
  });

  it('a worker that meets a flushed season rebuilds it before ranking the new result', async () => {
    const before = await snapshot(season);
    await h.stores.index.clear(season.id);
    const late = resultBody(season, { userId: randomUUID(), score: 99_999 });

    await h.startWorker();
    await h.publish([late]);
    await h.settled(season, bodies.length + 1);
    await h.stopWorkers();

    const after = await snapshot(season);
    expect(after.ranks.slice(0, 2)).toEqual([
      rankMember(late.runId, late.userId),
      String(-99_999 * 2 ** 33 + 60_000),
    ]);
    expect(after.ranks.slice(2)).toEqual(before.ranks);
  });

  it('the check command finds a difference, and rebuild --force repairs it', async () => {
    expect(await cli('check', season.id)).toMatchObject({ code: 0, lines: [{ equal: true }] });

    const keys = h.stores.index.keys(season.id);
    const [victim] = await h.stores.redis.zrange(keys.ranks, 5, 5);
    await h.stores.redis.zrem(keys.ranks, victim as string);
    await h.stores.redis.zadd(keys.ranks, 0, `${randomUUID()}:${randomUUID()}`);

    const broken = await cli('check', season.id);
    expect(broken.code).toBe(1);
    expect(broken.lines[0]).toMatchObject({
      seasonId: season.id,
      equal: false,
      missing: 1,
      different: 0,
      examples: [victim?.split(':')[1]],
    });

    const repaired = await cli('rebuild', season.id, '--force');
    expect(repaired).toMatchObject({ code: 0, lines: [{ seasonId: season.id, rebuilt: true }] });
    expect(await cli('check', '--all')).toMatchObject({
      code: 0,
      lines: [{ equal: true }, { equal: true }],
    });
  });

  it('adds seasons from the command line and refuses an overlapping one', async () => {
    const args = ['--name', 'Cup', '--starts', '2040-01-01T00:00:00Z', '--seeds', '7, 8'];
    const added = await cli(
      'add-season',
      '--id',
      'cup-2040',
      ...args,
      '--ends',
      '2040-01-08T00:00:00Z',
    );
    expect(added).toEqual({
      code: 0,
      lines: [
        {
          id: 'cup-2040',
          name: 'Cup',
          startsAt: '2040-01-01T00:00:00.000Z',
          endsAt: '2040-01-08T00:00:00.000Z',
          seeds: [7, 8],
        },
      ],
    });
    const overlapping = await cli(
      'add-season',
      '--id',
      'cup-2040-b',
      ...args,
      '--ends',
      '2040-01-02T00:00:00Z',
    );
    expect(overlapping).toEqual({
      code: 1,
      lines: [{ error: { code: 'season/overlaps', message: 'season overlaps' } }],
    });
    expect((await h.stores.seasons.byId('cup-2040'))?.seeds).toEqual([7, 8]);
    await h.stores.pool.query(`DELETE FROM leaderboard_seasons WHERE id = 'cup-2040'`);
  });

  it('rebuilding a complete index changes nothing', async () => {
    const before = await snapshot(season);
    const { copied } = await rebuildSeason(h.stores.pool, h.stores.index, season);
    expect(copied).toBe(before.ranks.length / 2);
    expect(await snapshot(season)).toEqual(before);
  });
});
