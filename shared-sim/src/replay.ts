import { createRun } from './run.ts';
import type { RunResult } from './run.ts';

/** What `replay` needs: the run's identity and its per-tick inputs. */
export interface ReplayInput {
  seed: number;
  ruleset: number;
  /** One input byte per tick, from tick 1. */
  inputs: ArrayLike<number>;
  courseLength?: number;
}

/** A replay's result and how many of the given inputs it consumed. */
export interface ReplayResult extends RunResult {
  /** Inputs left over after the run ended; a stream that goes on after the end has some. */
  unusedInputs: number;
}

/**
 * Replays a whole input stream. The run ends at the stream's end or at its own outcome,
 * whichever comes first; `unusedInputs` counts inputs given after the run ended.
 */
export function replay(input: ReplayInput): ReplayResult {
  const run = createRun(input);
  let used = 0;
  while (used < input.inputs.length && !run.ended) {
    run.step(input.inputs[used]!);
    used++;
  }
  return { ...run.result(), unusedInputs: input.inputs.length - used };
}

/** Per-tick state hashes of a replay, for comparing engines; entry i is after tick i + 1. */
export function replayHashes(input: ReplayInput): string[] {
  const run = createRun(input);
  const hashes: string[] = [];
  for (let i = 0; i < input.inputs.length && !run.ended; i++) {
    run.step(input.inputs[i]!);
    hashes.push(run.stateHash());
  }
  return hashes;
}
