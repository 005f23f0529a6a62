import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRun, decodeInputStream, replay } from '../src/index.ts';

interface GoldenCase {
  name: string;
  seed: number;
  ruleset: number;
  stream: string;
  expected: Record<string, unknown>;
  checkpoints: Record<string, string>;
}

// Regenerate with `npm run golden:update -w shared-sim` only for a deliberate rules change.
const golden = JSON.parse(
  readFileSync(join(import.meta.dirname, 'golden', 'replays.json'), 'utf8'),
) as GoldenCase[];

describe('golden replays', () => {
  it('has the recorded cases', () => {
    expect(golden.map((c) => c.name)).toHaveLength(6);
  });

  for (const c of golden) {
    it(`${c.name} gives the recorded result`, () => {
      const inputs = decodeInputStream(Buffer.from(c.stream, 'hex'));
      const { unusedInputs, ...result } = replay({ seed: c.seed, ruleset: c.ruleset, inputs });
      expect(result).toEqual(c.expected);
      expect(unusedInputs).toBe(0);
    });

    it(`${c.name} passes through the recorded checkpoints`, () => {
      const inputs = decodeInputStream(Buffer.from(c.stream, 'hex'));
      const run = createRun({ seed: c.seed, ruleset: c.ruleset });
      const seen: Record<string, string> = {};
      for (const bits of inputs) {
        if (run.ended) break;
        run.step(bits);
        if (c.checkpoints[String(run.tick)]) seen[String(run.tick)] = run.stateHash();
      }
      expect(seen).toEqual(c.checkpoints);
    });
  }
});
