/**
 * The numbers that define the game. Every value here is part of the ruleset: changing one
 * changes the outcome of recorded runs, so it must come with a new `RULESET_VERSION` and new
 * golden replays.
 *
 * Units: pixels, ticks (1/60 s) and pixels per tick. The y axis points down.
 */

/** Version of the rules below. A run records the version it was played under. */
export const RULESET_VERSION = 1;

/** Rulesets this build can simulate. */
export const SUPPORTED_RULESETS: readonly number[] = [RULESET_VERSION];

/** Simulation steps per second. */
export const TICK_RATE = 60;

/** Length of one tick in milliseconds, the constant delta passed to the physics engine. */
export const TICK_MS = 1000 / TICK_RATE;

/** A run that has not ended by this tick ends as timed out (six minutes). */
export const MAX_RUN_TICKS = 6 * 60 * TICK_RATE;

/** Default course length, tuned so that a skilled run takes two to four minutes. */
export const DEFAULT_COURSE_LENGTH = 36_000;

export const PLAYER = {
  width: 28,
  height: 44,
  startX: 120,
  maxHp: 5,
  startHp: 3,
  runSpeed: 4.4,
  groundAccel: 0.55,
  airAccel: 0.3,
  jumpVelocity: 9.8,
  doubleJumpVelocity: 8.4,
  /** Releasing jump while rising faster than this cuts the rise to this speed. */
  jumpCutVelocity: 3.2,
  maxFallSpeed: 14,
  /** Ticks after leaving a ledge during which a ground jump is still allowed. */
  coyoteTicks: 6,
  /** Ticks a jump press is remembered before landing. */
  jumpBufferTicks: 6,
  invulnerableTicks: 75,
  knockbackX: 4.5,
  knockbackY: 5.5,
  stompBounce: 7.5,
  /** How far behind its furthest point the player may walk back. */
  backtrackAllowance: 480,
} as const;

export const ATTACK = {
  activeTicks: 12,
  cooldownTicks: 26,
  reach: 46,
  height: 40,
} as const;

export const WORLD = {
  /** Below this y the player has fallen out of the course. */
  killPlaneY: 900,
  /** Platforms and enemies are simulated only inside [maxX - behind, playerX + ahead]. */
  activeAhead: 1400,
  activeBehind: 900,
  groundThickness: 240,
  floatThickness: 24,
  minTop: 300,
  maxTop: 560,
  startTop: 480,
} as const;

export const ENEMY = {
  walker: { width: 34, height: 34, speed: 1.3, hp: 1, score: 100 },
  flyer: {
    width: 34,
    height: 26,
    hp: 1,
    score: 150,
    patrolRange: 70,
    patrolSpeed: 1,
    triggerRange: 240,
    diveSpeedX: 2.4,
    diveSpeedY: 3.6,
    diveDepth: 190,
    climbSpeed: 1.8,
    cooldownTicks: 90,
  },
  shooter: {
    width: 32,
    height: 40,
    hp: 2,
    score: 200,
    range: 560,
    fireIntervalMin: 95,
    fireIntervalMax: 150,
    hurtTicks: 20,
  },
} as const;

export const PROJECTILE = {
  width: 14,
  height: 8,
  speed: 3.6,
  lifeTicks: 240,
  poolSize: 16,
} as const;

export const PICKUP = {
  size: 18,
  coinScore: 25,
  heartScoreWhenFull: 50,
} as const;

/**
 * Scoring. The score of a run is
 *
 *   floor(progress / 10) + sum of kill scores + 25 per coin (+50 per heart taken at full health)
 *   + on finishing: 2000 + max(0, floor((14400 - ticks) / 6))
 *
 * where progress is the furthest x reached past the start. The score never decreases.
 */
export const SCORE = {
  pixelsPerPoint: 10,
  finishBonus: 2000,
  parTicks: 14_400,
  ticksPerTimePoint: 6,
} as const;
