import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { createLogger } from '@truerun/services/lib/logger';
import { PLAYER, replay, RULESET_VERSION } from '@truerun/shared-sim';
import { Verdict, VerdictReason } from '@truerun/shared-sim/protocol';
import { createStaticServer } from '../scripts/static-server.ts';
import { launchLocalChromium } from './support/browser.ts';
import type { LocalBrowser } from './support/browser.ts';
import { pageDriverBundle } from './support/bundle.ts';
import { freePort, startLocalSystem } from './support/system.ts';
import type { LocalSystem } from './support/system.ts';

// The whole system on this machine: every backend deployable as a child process, the built
// client behind its static server, and headless Chromium playing through the keyboard.

const CLIENT_DIR = join(import.meta.dirname, '..');
const SCREENS = join(CLIENT_DIR, '..', 'artifacts', 'screens');
const PASSWORD = 'a long enough password';
/** Ticks the bot plays before it only holds right and drops into the next gap (25 s). */
const BOT_TICKS = 1_500;

/** What the game page exposes as `window.truerun`, as far as these tests read it. */
interface PageWindow {
  truerun: {
    session: {
      run: { seed: number; tick: number; player: { x: number } } | null;
      log: { all: readonly number[] };
      ghostList(): unknown[];
    };
  };
}

let system: LocalSystem | null = null;
let chromium: LocalBrowser | null = null;
let staticServer: Server | null = null;
let clientUrl = '';
let drivers = '';

beforeAll(async () => {
  const build = spawnSync('npm', ['run', 'build'], { cwd: CLIENT_DIR, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`client build failed:\n${build.stdout}\n${build.stderr}`);
  rmSync(SCREENS, { recursive: true, force: true });
  mkdirSync(SCREENS, { recursive: true });

  const port = await freePort();
  clientUrl = `http://localhost:${port}`;
  system = await startLocalSystem(clientUrl);
  staticServer = createStaticServer({
    root: join(CLIENT_DIR, '.output', 'public'),
    endpoints: {
      gatewayUrl: system.gatewayUrl,
      gameServerUrl: system.gameServerUrl,
    },
    log: createLogger('client-e2e', 'warn'),
  });
  await new Promise<void>((resolve) => staticServer!.listen(port, '127.0.0.1', resolve));
  drivers = await pageDriverBundle();
  chromium = await launchLocalChromium();
}, 240_000);

afterAll(async () => {
  await chromium?.close();
  await new Promise<void>((resolve) =>
    staticServer ? staticServer.close(() => resolve()) : resolve(),
  );
  await system?.stop();
}, 120_000);

describe('the client on its own', () => {
  it('plays practice without an account, with the touch buttons of a phone', async () => {
    const context = await chromium!.browser.newContext({
      viewport: { width: 844, height: 390 },
      hasTouch: true,
      isMobile: true,
    });
    const page = await watchedPage(context);
    await page.goto(`${clientUrl}/login`);
    await page.getByTestId('try-practice').click();
    await page.waitForFunction(() => (window as unknown as PageWindow).truerun?.session.run);

    // Hold the right button for a second: the runner moves right from the start line.
    const right = page.getByRole('button', { name: 'right' });
    await right.dispatchEvent('pointerdown');
    await page.waitForFunction(
      () => ((window as unknown as PageWindow).truerun.session.run?.tick ?? 0) > 60,
    );
    await right.dispatchEvent('pointerup');
    const x = await page.evaluate(
      () => (window as unknown as PageWindow).truerun.session.run!.player.x,
    );
    expect(x).toBeGreaterThan(PLAYER.startX + 100);
    await shot(page, '00-practice-touch');

    // Running on, it drops into the first gap; the result screen shows a practice run.
    await right.dispatchEvent('pointerdown');
    await page.waitForURL('**/result', { timeout: 30_000 });
    expect(await page.getByTestId('verdict').textContent()).toBe('Practice');
    await context.close();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});

describe('the client against the whole system', () => {
  it('signs up, logs in, plays a ranked run to a verified verdict, finds it ranked', async () => {
    if (!system || !chromium) throw new Error('the system or the browser did not start');
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await watchedPage(context);
    const username = `e2e_${randomBytes(4).toString('hex')}`;

    // Sign up, then log out and log in again with the same account.
    await page.goto(`${clientUrl}/login`);
    await page.getByTestId('auth-form').waitFor();
    await shot(page, '01-login');
    await signUp(page, username);
    await page.getByTestId('season-name').waitFor();
    await shot(page, '02-menu');
    await page.getByTestId('logout').click();
    await page.waitForURL('**/login');
    await page.getByTestId('username').fill(username);
    await page.getByTestId('password').fill(PASSWORD);
    await page.getByTestId('auth-submit').click();
    await page.waitForURL('**/menu');
    expect(await page.getByTestId('nav-user').textContent()).toContain(username);

    // A ranked run, played by the bot through the keyboard, paused once on the way.
    await page.getByTestId('play-ranked').click();
    await startDriver(page, `truerunDrivers.playWithBot(${BOT_TICKS})`);
    await page.waitForFunction(
      () => ((window as unknown as PageWindow).truerun.session.run?.tick ?? 0) > 300,
    );
    await shot(page, '03-game');
    await page.keyboard.press('Escape');
    await page.getByTestId('resume').waitFor();
    await shot(page, '04-pause');
    await page.keyboard.press('Escape');

    await page.waitForURL('**/result', { timeout: (BOT_TICKS / 60) * 1000 + 60_000 });
    const played = await page.evaluate(() => {
      const session = (window as unknown as PageWindow).truerun.session;
      return { seed: session.run!.seed, inputs: [...session.log.all] };
    });
    const expected = replay({ seed: played.seed, ruleset: RULESET_VERSION, inputs: played.inputs });

    await expect.poll(() => page.getByTestId('verdict').textContent()).toBe('Verified');
    // A verified run shows no reason code: there is nothing to explain.
    expect(await page.getByTestId('reason-code').count()).toBe(0);
    expect(await page.getByTestId('server-score').textContent()).toBe(String(expected.score));
    await page
      .getByTestId('rank')
      .waitFor({ timeout: 20_000 })
      .catch(async (error: unknown) => {
        const top = await fetch(`${system!.gatewayUrl}/leaderboard/seasons/current`);
        console.error(await top.text(), '\n', system!.logs.slice(-40).join('\n'));
        throw error;
      });
    expect(await page.getByTestId('rank').textContent()).toBe('#1');
    await shot(page, '05-result-verified');

    // The run on the season's board, and the player's own neighbourhood.
    await page.getByTestId('to-leaderboard').click();
    const mine = page.getByTestId('board-me');
    await mine.waitFor();
    expect(await mine.textContent()).toContain(String(expected.score));
    await shot(page, '06-leaderboard-global');
    await page.getByTestId('board-tab-around').click();
    await mine.waitFor();
    await shot(page, '07-leaderboard-around-me');
    await page.getByTestId('board-tab-friends').click();
    await mine.waitFor();
    await page.getByTestId('board-tab-past').click();
    await page.getByTestId('board-refresh').waitFor();
    await page.goto(`${clientUrl}/profile`);
    await page.getByTestId('skin-runner').waitFor();
    await shot(page, '08-profile');
    await context.close();
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('shows another player as a ghost, and a tampered run rejected with its reason', async () => {
    if (!system || !chromium) throw new Error('the system or the browser did not start');
    // An honest player already running: the cheater joins the same room and sees their ghost.
    const honestContext = await chromium.browser.newContext({
      viewport: { width: 1280, height: 720 },
    });
    const honest = await watchedPage(honestContext);
    await honest.goto(`${clientUrl}/login`);
    await signUp(honest, `ghost_${randomBytes(4).toString('hex')}`);
    await honest.getByTestId('play-ranked').click();
    await startDriver(honest, 'truerunDrivers.playWithBot(100000)');

    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await watchedPage(context);
    await page.goto(`${clientUrl}/login`);
    await signUp(page, `cheat_${randomBytes(4).toString('hex')}`);
    await page.getByTestId('play-ranked').click();
    await startDriver(page, 'truerunDrivers.playTampered()');
    await page.waitForFunction(
      () => (window as unknown as PageWindow).truerun.session.ghostList().length === 1,
    );
    await page.waitForFunction(
      () => ((window as unknown as PageWindow).truerun.session.run?.tick ?? 0) > 90,
    );
    await shot(page, '09-game-with-ghost');
    await page.waitForURL('**/result', { timeout: 60_000 });

    await expect.poll(() => page.getByTestId('verdict').textContent()).toBe('Rejected');
    expect(await page.getByTestId('reason-code').textContent()).toContain(
      VerdictReason.CLAIM_MISMATCH,
    );
    expect(await page.getByTestId('reason').textContent()).toContain(
      'is not what the server got when it replayed your inputs',
    );
    const claimed = await page.getByTestId('claimed-score').textContent();
    const serverScore = Number(await page.getByTestId('server-score').textContent());
    expect(claimed).toContain(String(serverScore + 5_000));
    await shot(page, '10-result-rejected');
    await context.close();
    await honestContext.close();
    expect(pageErrors).toEqual([]);
  }, 120_000);
});

/** Uncaught script errors of every page opened by `watchedPage`; each test expects none. */
const pageErrors: string[] = [];

async function watchedPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return page;
}

async function signUp(page: Page, username: string): Promise<void> {
  await page.getByTestId('tab-register').click();
  await page.getByTestId('username').fill(username);
  await page.getByTestId('password').fill(PASSWORD);
  await page.getByTestId('auth-submit').click();
  await page.waitForURL('**/menu');
}

/** Waits for the game page's run handle and starts a keyboard driver in it. */
async function startDriver(page: Page, call: string): Promise<void> {
  await page.waitForURL('**/play');
  await page.waitForFunction(() => (window as unknown as PageWindow).truerun !== undefined, null, {
    timeout: 20_000,
  });
  await page.addScriptTag({ content: `${drivers}\n${call};` });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENS, `${name}.png`) });
}
