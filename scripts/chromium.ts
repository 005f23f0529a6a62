import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Debian's Chromium; never a downloaded browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags that keep headless Chromium off the network: every host name resolves to nothing
 * except the loopback names, and no background service phones home.
 */
export const OFFLINE_CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost',
];

/** A headless Chromium that talks to nothing but this machine, and how to close it. */
export interface LocalBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with the offline flags plus `extraArgs`. Playwright gives every
 * launch a fresh temporary profile of its own and deletes it on close.
 */
export async function launchLocalChromium(
  extraArgs: readonly string[] = [],
): Promise<LocalBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...OFFLINE_CHROMIUM_ARGS, ...extraArgs],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}
