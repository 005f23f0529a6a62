import type { Logger } from './logger.ts';

/** One step of an ordered shutdown, such as "stop accepting" or "close the pool". */
export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown> | unknown;
}

/**
 * Runs the steps in order on SIGINT or SIGTERM, each bounded by the remaining budget, then
 * exits. A second signal exits at once.
 */
export function onShutdown(log: Logger, steps: ShutdownStep[], budgetMs = 15_000): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    const code = await runShutdown(log, steps, budgetMs);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** Runs shutdown steps in order within a total budget; resolves to the exit code. */
export async function runShutdown(
  log: Logger,
  steps: ShutdownStep[],
  budgetMs: number,
): Promise<number> {
  const deadline = Date.now() + budgetMs;
  let code = 0;
  for (const step of steps) {
    const remaining = Math.max(0, deadline - Date.now());
    try {
      await withTimeout(Promise.resolve().then(step.run), remaining, step.name);
      log.info({ step: step.name }, 'shutdown step done');
    } catch (err) {
      code = 1;
      log.error({ err, step: step.name }, 'shutdown step failed');
    }
  }
  return code;
}

function withTimeout<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not finish in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
