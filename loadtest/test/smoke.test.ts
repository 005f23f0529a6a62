import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { RoomCloseCode, VerdictReason } from '@truerun/shared-sim/protocol';
import { BotKind, KIND_SPECS, SMOKE_MIX } from '../src/bot-kinds.ts';
import type { LoadReport } from '../src/report.ts';

const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');
/** Starting the system, the smoke mix and stopping the system; it takes about a minute. */
const SMOKE_TIMEOUT_MS = 150_000;

/** Runs the CLI to its end and resolves with its exit code and output. */
function runCli(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    // SIGTERM lets the CLI stop the system it started; SIGKILL if it does not exit after that.
    const term = setTimeout(() => child.kill('SIGTERM'), SMOKE_TIMEOUT_MS - 20_000);
    const kill = setTimeout(() => child.kill('SIGKILL'), SMOKE_TIMEOUT_MS - 5_000);
    child.on('exit', (code) => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve({ code, output });
    });
  });
}

describe('loadtest:smoke', () => {
  const out = mkdtempSync(join(tmpdir(), 'truerun-smoke-'));

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  test(
    'against the real system, every honest run is verified and every cheat rejected',
    async () => {
      const { code, output } = await runCli(['--smoke', '--out', out]);
      expect(output).toContain('loadtest: passed');
      expect(code).toBe(0);

      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as LoadReport;
      expect(report.target.mode).toBe('started');
      expect(report.runs).toBe(SMOKE_MIX.length);
      expect(report.honestRejected).toBe(0);
      expect(report.cheatersAccepted).toBe(0);
      expect(report.failures).toEqual({});
      for (const row of report.detection) {
        const expected =
          row.kind === BotKind.FLOODING
            ? `close/${RoomCloseCode.FLOODING}`
            : KIND_SPECS[row.kind].expectedReason;
        expect({ kind: row.kind, reasons: row.reasons }).toEqual({
          kind: row.kind,
          reasons: { [expected]: row.runs },
        });
      }
      const reconnect = report.detection.find((row) => row.kind === BotKind.HONEST_RECONNECT);
      expect(reconnect?.reconnected).toBe(1);
      expect(report.verdicts.verified).toBe(
        SMOKE_MIX.filter((kind) => KIND_SPECS[kind].honest).length,
      );
      expect(report.detection.find((row) => row.kind === BotKind.HONEST)?.reasons).toEqual({
        [VerdictReason.OK]: 2,
      });
      // The page is written next to the data, with its charts inline.
      expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg ');
    },
    SMOKE_TIMEOUT_MS,
  );
});
