import { launchLocalChromium as launchOffline } from '../../../scripts/chromium.ts';
import type { LocalBrowser } from '../../../scripts/chromium.ts';

export type { LocalBrowser };

/**
 * Headless Chromium for the client's tests and benchmark: offline, with SwiftShader allowed so
 * that WebGL can be forced for comparison.
 */
export function launchLocalChromium(): Promise<LocalBrowser> {
  return launchOffline(['--enable-unsafe-swiftshader']);
}
