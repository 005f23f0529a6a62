/** What can happen in a tick, reported to renderers, sounds and the server's logs. */
export const SimEventKind = {
  /** The player took damage; `subject` is the enemy index, or -1 for a projectile. */
  HIT: 'hit',
  /** An enemy died; `subject` is its index in the course. */
  KILL: 'kill',
  /** A pickup was collected; `subject` is its index in the course. */
  PICKUP: 'pickup',
  /** The player swung their weapon. */
  ATTACK: 'attack',
  /** The player left the ground or jumped again in the air. */
  JUMP: 'jump',
  /** A shooter fired; `subject` is the shooter's index. */
  SHOT: 'shot',
  /** The run ended without finishing; the outcome says how. */
  DEATH: 'death',
  /** The player crossed the finish line. */
  FINISH: 'finish',
} as const;

export type SimEventKind = (typeof SimEventKind)[keyof typeof SimEventKind];

/** One event of a tick. Event objects are reused between ticks: copy what must be kept. */
export interface SimEvent {
  kind: SimEventKind;
  subject: number;
  x: number;
  y: number;
}

/** How a run stands or ended. */
export const Outcome = {
  RUNNING: 'running',
  FINISHED: 'finished',
  FELL: 'fell',
  DEFEATED: 'defeated',
  TIMED_OUT: 'timed_out',
} as const;

export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** Stable numeric codes for outcomes, as hashed into the state. */
export const OUTCOME_CODE: Readonly<Record<Outcome, number>> = {
  running: 0,
  finished: 1,
  fell: 2,
  defeated: 3,
  timed_out: 4,
};
