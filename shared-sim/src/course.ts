import { Prng, deriveSeed } from './prng.ts';
import { ENEMY, PICKUP, PLAYER, WORLD } from './rules.ts';

/** An axis-aligned solid rectangle. Courses are sorted by `x0`. */
export interface Platform {
  readonly index: number;
  readonly x0: number;
  readonly x1: number;
  readonly top: number;
  readonly bottom: number;
  /** Ground pillars are thick and rise from below; floating ledges are thin. */
  readonly floating: boolean;
}

export const EnemyKind = {
  WALKER: 'walker',
  FLYER: 'flyer',
  SHOOTER: 'shooter',
} as const;

export type EnemyKind = (typeof EnemyKind)[keyof typeof EnemyKind];

/** Where an enemy enters the course. Walkers patrol [minX, maxX] of their platform. */
export interface EnemySpawn {
  readonly index: number;
  readonly kind: EnemyKind;
  readonly x: number;
  readonly y: number;
  readonly minX: number;
  readonly maxX: number;
}

export const PickupKind = {
  COIN: 'coin',
  HEART: 'heart',
} as const;

export type PickupKind = (typeof PickupKind)[keyof typeof PickupKind];

export interface PickupSpawn {
  readonly index: number;
  readonly kind: PickupKind;
  /** Centre of the pickup. */
  readonly x: number;
  readonly y: number;
}

/** A generated course. Every list is sorted by x, and generation depends only on the seed. */
export interface Course {
  readonly seed: number;
  readonly length: number;
  /** Crossing this x finishes the run. */
  readonly finishX: number;
  readonly platforms: readonly Platform[];
  readonly enemies: readonly EnemySpawn[];
  readonly pickups: readonly PickupSpawn[];
}

const COURSE_STREAM = 1;

/**
 * Generates the course for a seed: ground pillars separated by gaps, floating ledges, enemies
 * and pickups, growing harder with distance. `length` is the x at which the finish platform
 * begins.
 */
export function generateCourse(seed: number, length: number): Course {
  const rng = new Prng(deriveSeed(seed, COURSE_STREAM));
  const builder = new CourseBuilder(rng, length);
  builder.ground(-600, 900, WORLD.startTop);

  let x = 900;
  let top: number = WORLD.startTop;
  while (x < length) {
    const permille = Math.floor((1000 * x) / length);
    const nextTop = clamp(top + rng.int(-90, 90), WORLD.minTop, WORLD.maxTop);
    const maxGap = nextTop < top - 40 ? 150 + (permille >> 4) : 130 + (permille >> 3);
    const gap = rng.int(60 + (permille >> 4), maxGap);
    const width = rng.int(300, 900 - (permille >> 2));
    builder.gap(x, x + gap, Math.min(top, nextTop));
    builder.ground(x + gap, x + gap + width, nextTop);
    builder.populate(x + gap, x + gap + width, nextTop, permille);
    x += gap + width;
    top = nextTop;
  }

  const finishGap = 120;
  builder.gap(x, x + finishGap, top);
  builder.ground(x + finishGap, x + finishGap + 700, top);
  return {
    seed: seed >>> 0,
    length,
    finishX: x + finishGap + 240,
    platforms: builder.platforms,
    enemies: sortedByX(builder.enemies),
    pickups: sortedByX(builder.pickups),
  };
}

class CourseBuilder {
  readonly platforms: Platform[] = [];
  readonly enemies: EnemySpawn[] = [];
  readonly pickups: PickupSpawn[] = [];
  private readonly rng: Prng;
  private readonly length: number;
  private sinceHeart = 0;

  constructor(rng: Prng, length: number) {
    this.rng = rng;
    this.length = length;
  }

  ground(x0: number, x1: number, top: number): void {
    this.platform(x0, x1, top, top + WORLD.groundThickness, false);
  }

  /** A gap, sometimes with an arc of coins over it or a flyer guarding it. */
  gap(x0: number, x1: number, top: number): void {
    const mid = (x0 + x1) / 2;
    if (x1 - x0 >= 110 && this.rng.chance(450)) {
      for (let i = -1; i <= 1; i++)
        this.pickup(PickupKind.COIN, mid + i * 36, top - 120 + i * i * 28);
    }
    const permille = Math.floor((1000 * x0) / this.length);
    if (x0 > 1500 && this.rng.chance(120 + (permille >> 2))) {
      this.enemy(EnemyKind.FLYER, mid, top - 170, mid, mid);
    }
  }

  /** Enemies, ledges and pickups on a ground platform. */
  populate(x0: number, x1: number, top: number, permille: number): void {
    const width = x1 - x0;
    const rng = this.rng;

    if (width >= 420 && rng.chance(260 + (permille >> 2))) {
      const lx0 = x0 + rng.int(80, width - 300);
      const ledgeTop = top - rng.int(110, 150);
      this.platform(lx0, lx0 + 180, ledgeTop, ledgeTop + WORLD.floatThickness, true);
      for (let i = 0; i < 4; i++) this.pickup(PickupKind.COIN, lx0 + 30 + i * 40, ledgeTop - 30);
    } else if (rng.chance(500)) {
      const count = rng.int(3, 5);
      const cx0 = x0 + rng.int(40, width - 40 * count);
      for (let i = 0; i < count; i++) this.pickup(PickupKind.COIN, cx0 + i * 40, top - 40);
    }

    this.sinceHeart++;
    if (this.sinceHeart >= 7 && rng.chance(250)) {
      this.sinceHeart = 0;
      this.pickup(PickupKind.HEART, x0 + width / 2, top - 100);
    }

    if (x0 < 1200) return;
    if (width >= 320 && rng.chance(350 + (permille * 2) / 5)) {
      const x = x0 + rng.int(140, width - 60);
      this.enemy(EnemyKind.WALKER, x, top - ENEMY.walker.height / 2, x0 + 20, x1 - 20);
    }
    if (width >= 500 && rng.chance(120 + (permille >> 2))) {
      const x = x1 - rng.int(60, 140);
      this.enemy(EnemyKind.SHOOTER, x, top - ENEMY.shooter.height / 2, x, x);
    }
    if (rng.chance(100 + (permille >> 2))) {
      const x = x0 + rng.int(100, width - 60);
      this.enemy(EnemyKind.FLYER, x, top - 160, x, x);
    }
  }

  private platform(x0: number, x1: number, top: number, bottom: number, floating: boolean): void {
    const index = this.platforms.length;
    this.platforms.push({ index, x0, x1, top, bottom, floating });
  }

  private enemy(kind: EnemyKind, x: number, y: number, minX: number, maxX: number): void {
    const index = this.enemies.length;
    this.enemies.push({ index, kind, x, y, minX, maxX });
  }

  private pickup(kind: PickupKind, x: number, y: number): void {
    const index = this.pickups.length;
    this.pickups.push({ index, kind, x, y });
  }
}

/** Sorts spawns by x (ties by creation order) and renumbers them so index order is x order. */
function sortedByX<T extends { x: number; index: number }>(spawns: T[]): T[] {
  const sorted = spawns.slice().sort((a, b) => a.x - b.x || a.index - b.index);
  return sorted.map((spawn, index) => ({ ...spawn, index }));
}

function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}

/** Height of the player's feet above a platform top when standing on it. */
export const STANDING_OFFSET = PLAYER.height / 2;

/** Vertical extent of a pickup's hit box around its centre. */
export const PICKUP_HALF = PICKUP.size / 2;
