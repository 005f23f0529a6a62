import { EnemyKind } from './course.ts';
import type { Course, Platform } from './course.ts';
import { Input } from './input.ts';
import { ATTACK, ENEMY, PLAYER } from './rules.ts';
import type { Enemy } from './enemies.ts';
import type { PlayerView, Projectile } from './run.ts';

/** The render state a bot decides from: exactly what a player sees on screen. */
export interface BotView {
  readonly tick: number;
  readonly player: PlayerView;
  readonly course: Course;
  readonly enemies: readonly Enemy[];
  readonly projectiles: readonly Projectile[];
}

/**
 * A bot that plays a course from the render state alone: it runs right, jumps gaps at their
 * edge, double-jumps when a jump falls short, swings at enemies and shots in reach and jumps
 * over what it cannot hit in time. Deterministic: the same view sequence gives the same inputs.
 */
export class BotPolicy {
  private previous = 0;
  private platformCursor = 0;
  private jumpHeld = 0;
  private course: Course | null = null;

  /** Input bits for the next tick. A bot moved to another run starts afresh. */
  decide(view: BotView): number {
    if (view.course !== this.course) {
      this.course = view.course;
      this.previous = 0;
      this.platformCursor = 0;
      this.jumpHeld = 0;
    }
    const player = view.player;
    const halfWidth = PLAYER.width / 2;
    const bottom = player.y + PLAYER.height / 2;
    const current = this.groundUnder(view.course, player.x, bottom);
    const next = this.nextGround(view.course, current, player.x);
    let input: number = Input.RIGHT;
    let wantJump = false;
    let wantAttack = false;

    // A gap or a step up ahead: jump from the edge.
    if (player.grounded && current && next) {
      const toEdge = current.x1 - (player.x + halfWidth);
      const stepUp = current.top - next.top;
      const gap = next.x0 - current.x1;
      if (toEdge < 10 + player.vx * 2 && gap > 0) wantJump = true;
      if (gap <= 0 && stepUp > 20 && next.x0 - (player.x + halfWidth) < 40) wantJump = true;
    }

    // A jump that falls short: use the air jump before dropping below the landing.
    if (!player.grounded && player.vy > 1.5 && player.airJumps > 0 && next) {
      const overGround = current !== null && player.x + halfWidth > current.x0 + 4;
      if (!overGround && bottom > next.top - 70) wantJump = true;
    }

    for (const enemy of view.enemies) {
      const dx = enemy.x - player.x;
      const dy = enemy.y - player.y;
      if (dx < -40 || dx > 160 || dy > 90 || dy < -110) continue;
      const reach = halfWidth + ATTACK.reach + enemy.halfWidth - 6;
      if (dx < reach && dx > -halfWidth - enemy.halfWidth && dy < 40 && dy > -60) {
        wantAttack = true;
      }
      if (enemy.kind === EnemyKind.SHOOTER && dx > 0 && dx < 130 && player.attackCooldown > 0) {
        input = 0;
      }
      if (enemy.kind === EnemyKind.WALKER && dx > 0 && dx < 70 && player.attackCooldown > 6) {
        if (player.grounded) wantJump = true;
      }
    }

    for (const shot of view.projectiles) {
      if (!shot.active) continue;
      const dx = shot.x - player.x;
      const dy = shot.y - player.y;
      if (dy > 30 || dy < -30) continue;
      const closing = (dx > 0 && shot.vx < 0) || (dx < 0 && shot.vx > 0);
      if (!closing || dx > 90 || dx < -60) continue;
      if (dx < halfWidth + ATTACK.reach && player.attackCooldown === 0) wantAttack = true;
      else if (player.grounded && dx < 70) wantJump = true;
    }

    if (player.invulnerableTicks > 0 && wantAttack === false && enemiesClose(view, player)) {
      input = 0;
    }

    input |= this.jumpBits(wantJump, player);
    if (wantAttack && (this.previous & Input.ATTACK) === 0 && player.attackCooldown === 0) {
      input |= Input.ATTACK;
    }
    this.previous = input;
    return input;
  }

  // Jump presses need a released tick before them; a held jump rises to full height.
  private jumpBits(wantJump: boolean, player: PlayerView): number {
    if (this.jumpHeld > 0) {
      this.jumpHeld--;
      if (player.vy < 0 || this.jumpHeld > 0) return Input.JUMP;
      this.jumpHeld = 0;
      return 0;
    }
    if (wantJump && (this.previous & Input.JUMP) === 0) {
      this.jumpHeld = 40;
      return Input.JUMP;
    }
    return 0;
  }

  private groundUnder(course: Course, x: number, bottom: number): Platform | null {
    const platforms = course.platforms;
    while (
      this.platformCursor < platforms.length - 1 &&
      platforms[this.platformCursor]!.x1 < x - 400
    ) {
      this.platformCursor++;
    }
    let best: Platform | null = null;
    for (let i = this.platformCursor; i < platforms.length; i++) {
      const p = platforms[i]!;
      if (p.x0 > x + PLAYER.width) break;
      if (p.x1 < x - PLAYER.width / 2 || p.top < bottom - 4) continue;
      if (best === null || p.top < best.top) best = p;
    }
    return best;
  }

  private nextGround(course: Course, current: Platform | null, x: number): Platform | null {
    const from = current ? current.x1 : x;
    const platforms = course.platforms;
    for (let i = this.platformCursor; i < platforms.length; i++) {
      const p = platforms[i]!;
      if (!p.floating && p.x0 >= from - 1 && p !== current) return p;
    }
    return null;
  }
}

function enemiesClose(view: BotView, player: PlayerView): boolean {
  for (const enemy of view.enemies) {
    const dx = enemy.x - player.x;
    if (dx > 0 && dx < 60 && enemy.kind !== EnemyKind.FLYER) return true;
  }
  return false;
}

/** Average ticks a shooter waits between shots, for callers that plan around them. */
export const SHOOTER_MEAN_INTERVAL =
  (ENEMY.shooter.fireIntervalMin + ENEMY.shooter.fireIntervalMax) / 2;
