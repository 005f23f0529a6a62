import Matter from 'matter-js';
import type { EnemySpawn, Platform } from './course.ts';
import type { StateHasher } from './hash.ts';
import { ENEMY, PLAYER } from './rules.ts';

const { Bodies, Body } = Matter;

const CATEGORY_PLATFORM = 0x0001;
const CATEGORY_PLAYER = 0x0002;
const CATEGORY_ENEMY = 0x0004;

// Explicit body ids keep every run independent of how many bodies the process created before.
const PLAYER_BODY_ID = 1;
const PLATFORM_BODY_ID = 1_000;
const ENEMY_BODY_ID = 1_000_000;

/**
 * Dynamic bodies never rotate (infinite inertia), so no step calls a trigonometric function,
 * and have no friction: the rules set their horizontal speed every tick.
 */
const DYNAMIC = {
  inertia: Infinity,
  friction: 0,
  frictionStatic: 0,
  frictionAir: 0,
  restitution: 0,
} as const;

/** The player's body, centred at (x, y); it collides with platforms only. */
export function createPlayerBody(x: number, y: number): Matter.Body {
  const body = Bodies.rectangle(x, y, PLAYER.width, PLAYER.height, {
    ...DYNAMIC,
    id: PLAYER_BODY_ID,
    label: 'player',
    collisionFilter: { category: CATEGORY_PLAYER, mask: CATEGORY_PLATFORM, group: 0 },
  });
  Body.setInertia(body, Infinity);
  return body;
}

/** A static body for a course platform. */
export function createPlatformBody(platform: Platform): Matter.Body {
  const width = platform.x1 - platform.x0;
  const height = platform.bottom - platform.top;
  return Bodies.rectangle(platform.x0 + width / 2, platform.top + height / 2, width, height, {
    id: PLATFORM_BODY_ID + platform.index,
    label: 'platform',
    isStatic: true,
    friction: 0,
    restitution: 0,
    collisionFilter: {
      category: CATEGORY_PLATFORM,
      mask: CATEGORY_PLAYER | CATEGORY_ENEMY,
      group: 0,
    },
  });
}

/** A walker's body at its spawn point; walkers collide with platforms only. */
export function createWalkerBody(spawn: EnemySpawn): Matter.Body {
  const { width, height } = ENEMY.walker;
  const body = Bodies.rectangle(spawn.x, spawn.y, width, height, {
    ...DYNAMIC,
    id: ENEMY_BODY_ID + spawn.index,
    label: 'walker',
    collisionFilter: { category: CATEGORY_ENEMY, mask: CATEGORY_PLATFORM, group: 0 },
  });
  Body.setInertia(body, Infinity);
  return body;
}

type MatterBody = Matter.Body;
/** matter-js keeps the previous position for its Verlet step; the typings omit it. */
type BodyWithHistory = MatterBody & { positionPrev: Matter.Vector; positionImpulse: Matter.Vector };

/**
 * matter-js sorts the detector's bodies by their left edge on every update. V8's
 * Array.prototype.sort allocates a work array per call, the largest allocation of a tick. The
 * list is nearly sorted from one tick to the next, so an in-place insertion sort, attached to
 * that one array, costs less and allocates nothing. Both sorts are stable, so the order is the
 * same as the engine's own.
 */
export function keepSortInPlace(engine: Matter.Engine): void {
  const detector = (engine as { detector?: { bodies: MatterBody[] } }).detector;
  if (!detector || Object.prototype.hasOwnProperty.call(detector.bodies, 'sort')) return;
  Object.defineProperty(detector.bodies, 'sort', { value: insertionSort, enumerable: false });
}

function insertionSort(
  this: MatterBody[],
  compare: (a: MatterBody, b: MatterBody) => number,
): MatterBody[] {
  for (let i = 1; i < this.length; i++) {
    const body = this[i]!;
    let j = i - 1;
    while (j >= 0 && compare(this[j]!, body) > 0) {
      this[j + 1] = this[j]!;
      j--;
    }
    this[j + 1] = body;
  }
  return this;
}

/**
 * Hashes what carries a body's motion into the next tick: position, previous position,
 * velocity, and the positional correction matter-js still has to apply (it pushes a body out
 * of a platform over several ticks, for example after landing on a corner).
 */
export function hashBody(h: StateHasher, body: MatterBody): void {
  const { positionPrev: previous, positionImpulse: impulse } = body as BodyWithHistory;
  h.f64(body.position.x);
  h.f64(body.position.y);
  h.f64(previous.x);
  h.f64(previous.y);
  h.f64(body.velocity.x);
  h.f64(body.velocity.y);
  h.f64(impulse.x);
  h.f64(impulse.y);
}
