import { build } from 'esbuild';
import { join } from 'node:path';

/**
 * The page drivers as one script for `page.addScriptTag`, exposing them as
 * `window.truerunDrivers`.
 */
export async function pageDriverBundle(): Promise<string> {
  const result = await build({
    entryPoints: [join(import.meta.dirname, 'page-drivers.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'truerunDrivers',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
