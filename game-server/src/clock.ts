/** A monotonic clock in milliseconds. The judgement rules read time only through this. */
export interface RunClock {
  now(): number;
}

/** The process's monotonic clock. */
export const realClock: RunClock = { now: () => performance.now() };

/**
 * A clock that runs `rate` times faster than real time. Only tests use it, to stream a run
 * faster than real time through rules that are written against the server's clock.
 */
export function scaledClock(rate: number): RunClock {
  const origin = performance.now();
  return { now: () => origin + (performance.now() - origin) * rate };
}
