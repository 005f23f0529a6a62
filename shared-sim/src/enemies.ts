import type { EnemyKind, EnemySpawn } from './course.ts';
import { ENEMY } from './rules.ts';
import type Matter from 'matter-js';

const FLYER_PATROL = 0;
const FLYER_DIVE = 1;
const FLYER_CLIMB = 2;

/** An enemy inside the simulated window. */
export class Enemy {
  readonly spawn: EnemySpawn;
  readonly kind: EnemyKind;
  x: number;
  y: number;
  vx = 0;
  vy = 0;
  hp: number;
  /** Walkers: patrol direction. Flyers: patrol, dive or climb. */
  state = 0;
  timer = 0;
  hurtTicks = 0;
  lastSwingHit = -1;
  body: Matter.Body | null = null;

  constructor(spawn: EnemySpawn) {
    this.spawn = spawn;
    this.kind = spawn.kind;
    this.x = spawn.x;
    this.y = spawn.y;
    this.hp = ENEMY[spawn.kind].hp;
  }

  get halfWidth(): number {
    return ENEMY[this.kind].width / 2;
  }

  get halfHeight(): number {
    return ENEMY[this.kind].height / 2;
  }
}

/** Moves a flyer one tick: patrol around its home, dive at a player below, climb back. */
export function controlFlyer(enemy: Enemy, px: number, py: number): void {
  const spec = ENEMY.flyer;
  const homeX = enemy.spawn.x;
  const homeY = enemy.spawn.y;

  if (enemy.state === FLYER_PATROL) {
    if (enemy.timer > 0) enemy.timer--;
    if (enemy.vx === 0) enemy.vx = -spec.patrolSpeed;
    if (enemy.x <= homeX - spec.patrolRange) enemy.vx = spec.patrolSpeed;
    else if (enemy.x >= homeX + spec.patrolRange) enemy.vx = -spec.patrolSpeed;
    const dx = px - enemy.x;
    if (
      enemy.timer === 0 &&
      dx < spec.triggerRange &&
      dx > -spec.triggerRange &&
      py > enemy.y + 40
    ) {
      enemy.state = FLYER_DIVE;
      enemy.vx = dx < 0 ? -spec.diveSpeedX : spec.diveSpeedX;
      enemy.vy = spec.diveSpeedY;
    }
  } else if (enemy.state === FLYER_DIVE) {
    if (enemy.y >= homeY + spec.diveDepth) {
      enemy.state = FLYER_CLIMB;
      enemy.vx = 0;
      enemy.vy = -spec.climbSpeed;
    }
  } else if (enemy.y <= homeY) {
    enemy.state = FLYER_PATROL;
    enemy.y = homeY;
    enemy.vy = 0;
    enemy.vx = -spec.patrolSpeed;
    enemy.timer = spec.cooldownTicks;
  }

  enemy.x += enemy.vx;
  enemy.y += enemy.vy;
}

/** True when the box [x0, x1] x [y0, y1] overlaps the enemy's box. */
export function overlaps(x0: number, x1: number, y0: number, y1: number, enemy: Enemy): boolean {
  return (
    enemy.x + enemy.halfWidth > x0 &&
    enemy.x - enemy.halfWidth < x1 &&
    enemy.y + enemy.halfHeight > y0 &&
    enemy.y - enemy.halfHeight < y1
  );
}
