import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getQuickJS } from 'quickjs-emscripten';
import { launchLocalChromium } from '../../../scripts/chromium.ts';

/** One replay to run in every engine: a seed and its encoded input stream as hex. */
export interface EngineCase {
  seed: number;
  ruleset: number;
  stream: string;
}

/**
 * Script run inside each engine after the bundle: replays every case and returns, per case,
 * the per-tick state hashes concatenated (16 hex digits a tick). Plain ES2020, no host APIs.
 */
const DRIVER = `
function truerunHashes(cases) {
  var out = [];
  for (var i = 0; i < cases.length; i++) {
    var c = cases[i];
    var bytes = new Uint8Array(c.stream.length / 2);
    for (var j = 0; j < bytes.length; j++) bytes[j] = parseInt(c.stream.substr(j * 2, 2), 16);
    var inputs = TruerunSim.decodeInputStream(bytes);
    var run = { seed: c.seed, ruleset: c.ruleset, inputs: inputs };
    out.push(TruerunSim.replayHashes(run).join(''));
  }
  return JSON.stringify(out);
}
`;

export type EngineRunner = (bundle: string, cases: EngineCase[]) => Promise<string[]>;

export const runInQuickJS: EngineRunner = async (bundle, cases) => {
  const quickjs = await getQuickJS();
  const vm = quickjs.newContext();
  try {
    const code = `${bundle}\n${DRIVER}\ntruerunHashes(${JSON.stringify(cases)});`;
    const handle = vm.unwrapResult(vm.evalCode(code, 'truerun-sim.js'));
    const json = vm.getString(handle);
    handle.dispose();
    return JSON.parse(json) as string[];
  } finally {
    vm.dispose();
  }
};

export const JSC_PATH = process.env.JSC_PATH ?? '/usr/bin/jsc';

export const runInJavaScriptCore: EngineRunner = async (bundle, cases) => {
  const dir = mkdtempSync(join(tmpdir(), 'truerun-jsc-'));
  try {
    const file = join(dir, 'run.js');
    writeFileSync(file, `${bundle}\n${DRIVER}\nprint(truerunHashes(${JSON.stringify(cases)}));\n`);
    const stdout = await runProcess(JSC_PATH, [file], 300_000);
    return JSON.parse(stdout) as string[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export const runInChromium: EngineRunner = async (bundle, cases) => {
  const chromium = await launchLocalChromium();
  try {
    const page = await chromium.browser.newPage();
    await page.addScriptTag({ content: `${bundle}\n${DRIVER}` });
    const json = await page.evaluate(
      (input) =>
        (globalThis as unknown as { truerunHashes(c: unknown): string }).truerunHashes(input),
      cases,
    );
    return JSON.parse(json) as string[];
  } finally {
    await chromium.close();
  }
};

function runProcess(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${command} exited ${code}: ${Buffer.concat(err).toString('utf8')}`));
    });
  });
}
