import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..');

/**
 * Bundles the simulation, matter-js included, into one script that defines the global
 * `TruerunSim`, for engines that load plain scripts (QuickJS, JavaScriptCore, a browser page).
 */
export async function bundleSimulation(): Promise<string> {
  const result = await build({
    entryPoints: [join(ROOT, 'src', 'index.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'TruerunSim',
    target: 'es2020',
    platform: 'neutral',
    mainFields: ['main'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

if (import.meta.main) {
  const out = join(ROOT, 'dist', 'truerun-sim.js');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, await bundleSimulation());
  console.log(`wrote ${out}`);
}
