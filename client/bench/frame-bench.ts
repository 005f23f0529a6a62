/**
 * `npm run bench -w client`: how the game runs in headless Chromium on this machine.
 *
 * 1. What a new player downloads, compressed, from opening the page to the first game frame.
 * 2. Frame times during a practice run played by the shared-sim bot through the keyboard:
 *    the interval between frames (what the player sees; headless Chromium caps it at 60 Hz)
 *    and the work inside each frame (simulation plus drawing, measured in the page).
 *
 * Prints figures and asserts nothing. BENCH_SECONDS sets the length of the measured run
 * (default 60); BENCH_WEBGL_SECONDS the short run with WebGL forced (default 10, 0 to skip).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createLogger } from '@truerun/services/lib/logger';
import { createStaticServer } from '../scripts/static-server.ts';
import { launchLocalChromium } from '../test/support/browser.ts';
import { pageDriverBundle } from '../test/support/bundle.ts';

const CLIENT_DIR = join(import.meta.dirname, '..');
const ROOT = join(CLIENT_DIR, '.output', 'public');
const RUN_SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const WEBGL_SECONDS = Number(process.env.BENCH_WEBGL_SECONDS ?? 10);

interface Summary {
  count: number;
  median: number;
  p99: number;
  max: number;
}

interface FrameReport {
  renderer: string;
  frames: number;
  interval: Summary;
  work: Summary;
  ticks: number;
  droppedMs: number;
}

if (!existsSync(join(ROOT, '200.html'))) {
  console.log('building the client...');
  const build = spawnSync('npm', ['run', 'build'], { cwd: CLIENT_DIR, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const server = createStaticServer({
  root: ROOT,
  endpoints: { gatewayUrl: 'http://127.0.0.1:9', gameServerUrl: 'ws://127.0.0.1:9' },
  log: createLogger('client-bench', 'warn'),
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://localhost:${(server.address() as AddressInfo).port}`;
const drivers = await pageDriverBundle();
const chromium = await launchLocalChromium();

try {
  await measureDownload(chromium.browser);
  const auto = await measureFrames(chromium.browser, 'auto', RUN_SECONDS);
  printFrames(auto);
  if (WEBGL_SECONDS > 0) printFrames(await measureFrames(chromium.browser, 'webgl', WEBGL_SECONDS));
} finally {
  await chromium.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Bytes on the wire from a cold cache to the first drawn game frame. */
async function measureDownload(browser: Browser): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const responses: Promise<{ url: string; bytes: number; type: string }>[] = [];
  page.on('response', (response) => {
    responses.push(
      response
        .request()
        .sizes()
        .then((sizes) => ({
          url: new URL(response.url()).pathname,
          bytes: sizes.responseBodySize,
          type: response.headers()['content-type'] ?? '',
        })),
    );
  });

  await page.goto(`${base}/login`);
  await page.getByTestId('try-practice').click();
  await page.waitForFunction('(window.truerun?.scene?.stats.summary().frames ?? 0) > 0');
  const files = await Promise.all(responses);
  await context.close();

  const total = files.reduce((sum, file) => sum + file.bytes, 0);
  const scripts = files.filter((file) => file.type.includes('javascript'));
  console.log('download before the first game frame (gzip, as transferred):');
  console.log(`  total ${kb(total)} in ${files.length} responses`);
  const scriptBytes = scripts.reduce((sum, file) => sum + file.bytes, 0);
  console.log(`  scripts ${kb(scriptBytes)} in ${scripts.length} files`);
  for (const file of files
    .slice()
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 4)) {
    console.log(`  ${kb(file.bytes).padStart(9)}  ${file.url}`);
  }
}

/** Frame times of a practice run played by the bot for `seconds`. */
async function measureFrames(
  browser: Browser,
  renderer: string,
  seconds: number,
): Promise<FrameReport> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  // Signed out, the game page plays practice, on course 1 unless told otherwise.
  await page.goto(`${base}/play${renderer === 'auto' ? '' : `?renderer=${renderer}`}`);
  await page.waitForFunction('window.truerun?.session.run');
  // The bot plays the whole measured time; a run that ends sooner is measured up to its end.
  await page.addScriptTag({
    content: `${drivers}\ntruerunDrivers.playWithBot(${seconds * 60 + 600});`,
  });
  await page.waitForTimeout(1_000);
  await page.evaluate('truerun.scene.stats.reset()');
  const startTick = (await page.evaluate('truerun.session.run.tick')) as number;
  await page
    .waitForFunction('truerun.session.run.ended', null, { timeout: seconds * 1000, polling: 500 })
    .catch(() => undefined);

  const report = (await page.evaluate(`(() => {
    const { scene, session } = truerun;
    const summary = scene.stats.summary();
    return {
      renderer: scene.game.renderer.type === 2 ? 'webgl' : 'canvas',
      frames: summary.frames,
      interval: summary.interval,
      work: summary.work,
      ticks: session.run.tick,
      droppedMs: session.clock.dropped,
    };
  })()`)) as FrameReport;
  await context.close();
  return { ...report, ticks: report.ticks - startTick };
}

function printFrames(report: FrameReport): void {
  const dropped = report.droppedMs.toFixed(0);
  console.log(`frames during a bot-played run, renderer ${report.renderer}:`);
  console.log(`  ${report.frames} frames, ${report.ticks} ticks simulated, ${dropped} ms dropped`);
  console.log(`  frame interval ${spread(report.interval)}`);
  console.log(`  work per frame ${spread(report.work)}`);
}

function spread(summary: Summary): string {
  return `median ${ms(summary.median)}, p99 ${ms(summary.p99)}, max ${ms(summary.max)}`;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}
