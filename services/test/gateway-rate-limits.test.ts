import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, freshUsername, startStack } from './gateway-stack.ts';
import type { Stack } from './gateway-stack.ts';

// Short windows so a test can wait one out; two seconds leave a burst room to finish inside.
const RULES = {
  ip: { points: 40, durationSec: 2 },
  user: { points: 5, durationSec: 2 },
  credentials: { points: 3, durationSec: 2 },
};

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ rateRules: RULES });
});

afterAll(async () => {
  await stack?.close();
});

/** Waits until the window that refused `answer` has passed. */
async function waitOut(answer: { headers: Headers }) {
  const retryAfter = Number(answer.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(RULES.ip.durationSec);
  await sleep(retryAfter * 1000 + 100);
}

async function burst(count: number, send: () => ReturnType<typeof call>) {
  const answers = [];
  for (let i = 0; i < count; i += 1) answers.push(await send());
  return answers;
}

describe('gateway rate limits', () => {
  it('limits log in per IP more strictly, with Retry-After, then resumes', async () => {
    const username = freshUsername();
    const password = 'correct horse battery';
    const login = () =>
      call(stack.gatewayUrl, 'POST', '/auth/login', { body: { username, password: 'wrong one' } });

    const answers = await burst(5, login);
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 429, 429]);
    const limited = answers[3]!;
    expect(limited.body.error.code).toBe('request/rate_limited');
    expect(limited.headers.get('access-control-expose-headers')).toContain('retry-after');

    // Register shares the credentials budget, so it is refused too while the window lasts.
    const register = await call(stack.gatewayUrl, 'POST', '/auth/register', {
      body: { username, password },
    });
    expect(register.status).toBe(429);

    await waitOut(limited);
    const afterWindow = await call(stack.gatewayUrl, 'POST', '/auth/register', {
      body: { username, password },
    });
    expect(afterWindow.status).toBe(201);
  });

  it('limits each player separately, and resumes after the window', async () => {
    await sleep(RULES.credentials.durationSec * 1000);
    const [a, b] = await burst(2, () =>
      call(stack.gatewayUrl, 'POST', '/auth/register', {
        body: { username: freshUsername(), password: 'correct horse battery' },
      }),
    );
    const me = (token: string) => call(stack.gatewayUrl, 'GET', '/player/me', { token });

    const answers = await burst(7, () => me(a!.body.accessToken));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 429, 429]);

    // Another player behind the same IP still has their own budget.
    expect((await me(b!.body.accessToken)).status).toBe(200);

    await waitOut(answers[5]!);
    expect((await me(a!.body.accessToken)).status).toBe(200);
  });

  it('limits every request per IP, public ones included, then resumes', async () => {
    await sleep(RULES.ip.durationSec * 1000);
    const read = () => call(stack.gatewayUrl, 'GET', '/leaderboard/seasons/current');
    const answers = await burst(RULES.ip.points + 2, read);
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.slice(0, RULES.ip.points).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(RULES.ip.points)).toEqual([429, 429]);

    const refusedBefore = stack.leaderboardSeen.length;
    await waitOut(answers[RULES.ip.points]!);
    expect((await read()).status).toBe(200);
    expect(stack.leaderboardSeen.length).toBe(refusedBefore + 1);
  });
});
