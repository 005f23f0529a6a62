import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { createSeasonSource } from '../src/season-source.ts';
import { testLogger } from './support/harness.ts';

const log = testLogger('season-source-test');
const fallback = { seasonId: 'local', seed: 7 };
let server: http.Server | null = null;

/** A leaderboard stand-in answering the seasons route with `body` and `status`. */
async function leaderboard(
  status: number,
  body: unknown,
): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  server = http.createServer((req, res) => {
    hits++;
    const found = req.url === '/leaderboard/seasons/current';
    res.writeHead(found ? status : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

describe('the season source', () => {
  test('takes the seed and season from the leaderboard service and caches them', async () => {
    const reset = '2030-01-01T00:00:00.000Z';
    const service = await leaderboard(200, {
      season: { id: 's-42', name: 'Winter', startsAt: '', endsAt: reset, seeds: [9, 99] },
      seed: 99,
      nextResetAt: reset,
    });
    const seasons = createSeasonSource({ leaderboardUrl: service.url, fallback, log });

    expect(await seasons.current()).toEqual({
      seasonId: 's-42',
      seed: 99,
      nextResetAt: new Date(reset),
    });
    await seasons.current();
    expect(service.hits()).toBe(1);
  });

  test.each([
    ['an error status', 503, { error: { code: 'x' } }],
    ['no season id', 200, { season: {}, seed: 1 }],
    ['a seed that is not a 32-bit integer', 200, { season: { id: 's' }, seed: 2 ** 33 }],
  ])('falls back to the configured course on %s', async (_name, status, body) => {
    const service = await leaderboard(status, body);
    const seasons = createSeasonSource({ leaderboardUrl: service.url, fallback, log });
    expect(await seasons.current()).toEqual({ ...fallback, nextResetAt: null });
  });

  test('falls back when nothing listens', async () => {
    const seasons = createSeasonSource({ leaderboardUrl: 'http://127.0.0.1:9', fallback, log });
    expect(await seasons.current()).toEqual({ ...fallback, nextResetAt: null });
  });

  test('keeps the last season it learnt while the service is down, until its reset', async () => {
    const reset = '2030-01-01T00:00:00.000Z';
    const service = await leaderboard(200, {
      season: { id: 's-7', name: 'Spring', startsAt: '', endsAt: reset, seeds: [5] },
      seed: 5,
      nextResetAt: reset,
    });
    const seasons = createSeasonSource({ leaderboardUrl: service.url, fallback, log, cacheMs: 0 });
    expect((await seasons.current()).seasonId).toBe('s-7');

    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = null;
    expect(await seasons.current()).toEqual({
      seasonId: 's-7',
      seed: 5,
      nextResetAt: new Date(reset),
    });
  });
});
