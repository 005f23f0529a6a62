import Matter from 'matter-js';
import { generateCourse, EnemyKind, PickupKind } from './course.ts';
import type { Course, EnemySpawn, Platform } from './course.ts';
import { Outcome, OUTCOME_CODE, SimEventKind } from './events.ts';
import type { SimEvent } from './events.ts';
import { Enemy, controlFlyer, overlaps } from './enemies.ts';
import { StateHasher } from './hash.ts';
import { INPUT_MASK, Input } from './input.ts';
import {
  createPlatformBody,
  createPlayerBody,
  createWalkerBody,
  hashBody,
  keepSortInPlace,
} from './physics.ts';
import { Prng, deriveSeed } from './prng.ts';
import {
  ATTACK,
  DEFAULT_COURSE_LENGTH,
  ENEMY,
  MAX_RUN_TICKS,
  PICKUP,
  PLAYER,
  PROJECTILE,
  SCORE,
  SUPPORTED_RULESETS,
  TICK_MS,
  WORLD,
} from './rules.ts';

const { Body, Composite, Engine } = Matter;
type MatterBody = Matter.Body;

const MAX_EVENTS = 32;
const HURT_STUN_TICKS = 12;

/** Options of `createRun`. */
export interface RunOptions {
  /** Course seed, a 32-bit unsigned integer. */
  seed: number;
  /** Ruleset version the run is played under; must be one of `SUPPORTED_RULESETS`. */
  ruleset: number;
  /** Course length in pixels. Only measurements change it; ranked runs use the default. */
  courseLength?: number;
}

/** The result of a run, as the server records and ranks it. */
export interface RunResult {
  ticks: number;
  score: number;
  /** Furthest progress past the start, in whole pixels. */
  distance: number;
  kills: number;
  coins: number;
  outcome: Outcome;
  /** State hash after the last tick, 16 hex digits. */
  finalHash: string;
}

/** The player as the renderer and the bot see it. */
export interface PlayerView {
  readonly x: number;
  readonly y: number;
  readonly vx: number;
  readonly vy: number;
  readonly hp: number;
  readonly facing: 1 | -1;
  readonly grounded: boolean;
  /** Ticks left in the current swing; the hitbox is live while this is above zero. */
  readonly attackTicks: number;
  /** Ticks until the next swing may start. */
  readonly attackCooldown: number;
  readonly invulnerableTicks: number;
  /** Air jumps still available before landing. */
  readonly airJumps: number;
}

/** A shot in flight. Projectiles live in a fixed pool; `active` tells which slots are in use. */
export interface Projectile {
  active: boolean;
  x: number;
  y: number;
  vx: number;
  life: number;
}

/**
 * One player's run through a course, stepped one fixed tick at a time.
 *
 * Everything a tick does depends only on the seed, the ruleset and the inputs so far: the
 * physics gets a constant delta, no dynamic body rotates, bodies enter the world in course
 * order, and randomness comes from the run's own PRNG. The same inputs give the same bits in
 * every JavaScript engine.
 *
 * Only the window around the player is simulated: platforms and enemies enter the physics
 * world as the player nears them and leave once they are behind, so a tick costs the same at
 * any distance into the course.
 */
export class Run {
  readonly seed: number;
  readonly ruleset: number;
  readonly course: Course;

  /** Ticks stepped so far. */
  tick = 0;
  outcome: Outcome = Outcome.RUNNING;
  score = 0;
  kills = 0;
  coins = 0;
  /** Furthest x the player has reached. */
  maxX: number = PLAYER.startX;

  /** Enemies in the simulated window, in the order they entered. */
  readonly enemies: Enemy[] = [];
  /** The projectile pool; only slots with `active` set are in flight. */
  readonly projectiles: readonly Projectile[];
  /** Course platforms with index in [platformLo, platformHi) are in the physics world. */
  platformLo = 0;
  platformHi = 0;
  /** Course pickups with index in [pickupLo, pickupHi) may be collected. */
  pickupLo = 0;
  pickupHi = 0;
  /** 1 for each course pickup already collected. */
  readonly collected: Uint8Array;

  private readonly engine: Matter.Engine;
  private readonly rng: Prng;
  private readonly playerBody: MatterBody;
  private readonly platformBodies: (MatterBody | null)[];
  private readonly eventPool: SimEvent[];
  private readonly hasher = new StateHasher();
  private readonly scratch = { x: 0, y: 0 };
  private nextEnemy = 0;
  private eventCount = 0;

  private hp: number = PLAYER.startHp;
  private facing: 1 | -1 = 1;
  private grounded = false;
  private jumping = false;
  private airJumps = 1;
  private coyote = 0;
  private jumpBuffer = 0;
  private attackTicks = 0;
  private attackCooldown = 0;
  private swing = 0;
  private invulnerable = 0;
  private hurtStun = 0;
  private previousInput = 0;
  private previousBottom = 0;
  private killScore = 0;
  private pickupScore = 0;

  /** The player's render state, updated after every tick. */
  readonly player: PlayerView;

  constructor(options: RunOptions) {
    const courseLength = options.courseLength ?? DEFAULT_COURSE_LENGTH;
    if (!SUPPORTED_RULESETS.includes(options.ruleset)) {
      throw new RangeError(`ruleset ${options.ruleset} is not supported`);
    }
    if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
      throw new RangeError(`seed ${options.seed} is not an unsigned 32-bit integer`);
    }
    if (!Number.isInteger(courseLength) || courseLength < 1_000 || courseLength > 1_000_000) {
      throw new RangeError(`course length ${courseLength} is outside [1000, 1000000]`);
    }
    this.seed = options.seed;
    this.ruleset = options.ruleset;
    this.course = generateCourse(this.seed, courseLength);
    this.rng = new Prng(deriveSeed(this.seed, 2));
    this.collected = new Uint8Array(this.course.pickups.length);
    this.platformBodies = new Array<MatterBody | null>(this.course.platforms.length).fill(null);
    this.eventPool = Array.from({ length: MAX_EVENTS }, () => ({
      kind: SimEventKind.HIT,
      subject: 0,
      x: 0,
      y: 0,
    }));
    this.projectiles = Array.from({ length: PROJECTILE.poolSize }, () => ({
      active: false,
      x: 0,
      y: 0,
      vx: 0,
      life: 0,
    }));

    this.engine = Engine.create({
      gravity: { x: 0, y: 1, scale: 0.001 },
      enableSleeping: false,
      positionIterations: 6,
      velocityIterations: 4,
    });
    // Nothing subscribes to engine events; without the empty list, matter-js skips building
    // event objects on every update.
    (this.engine as { events?: unknown }).events = undefined;

    const startY = WORLD.startTop - PLAYER.height / 2;
    this.playerBody = createPlayerBody(PLAYER.startX, startY);
    Composite.add(this.engine.world, this.playerBody);
    this.previousBottom = startY + PLAYER.height / 2;
    this.player = this.makePlayerView();
    this.updateWindow();
    this.grounded = true;
    this.refreshPlayerView();
  }

  /** True once the run has an outcome other than running. */
  get ended(): boolean {
    return this.outcome !== Outcome.RUNNING;
  }

  /** Number of events the last tick produced; read them with `eventAt`. */
  get events(): number {
    return this.eventCount;
  }

  /** Event `i` of the last tick. The object is reused by later ticks. */
  eventAt(i: number): SimEvent {
    if (!Number.isInteger(i) || i < 0 || i >= this.eventCount) {
      throw new RangeError(`no event ${i}`);
    }
    return this.eventPool[i]!;
  }

  /**
   * Steps one tick with the given input bits. Throws a `RangeError` for anything but an
   * integer of defined `Input` bits, and an `Error` once the run has ended.
   */
  step(input: number): void {
    if (this.ended) throw new Error(`run already ended as ${this.outcome}`);
    if ((input & INPUT_MASK) !== input) throw new RangeError(`input ${input} is not valid`);
    this.tick++;
    this.eventCount = 0;

    this.controlPlayer(input);
    this.controlEnemies();
    this.moveProjectiles();
    keepSortInPlace(this.engine);
    Engine.update(this.engine, TICK_MS);

    this.afterPhysics();
    this.updateWindow();
    this.resolveAttack();
    this.resolveContacts();
    this.collectPickups();
    this.judgeEnd();
    this.updateScore();
    this.previousInput = input;
    this.refreshPlayerView();
  }

  /** Hash of the exact simulation state after the last tick, 16 hex digits. */
  stateHash(): string {
    const h = this.hasher;
    h.reset();
    h.u32(this.tick);
    h.u32(this.course.length);
    h.u32(OUTCOME_CODE[this.outcome]);
    h.u32(this.rng.a);
    h.u32(this.rng.b);
    h.u32(this.rng.c);
    h.u32(this.rng.d);
    hashBody(h, this.playerBody);
    h.u32(this.hp);
    h.u32(this.facing + 1);
    h.u32((this.grounded ? 1 : 0) | (this.jumping ? 2 : 0));
    h.u32(this.airJumps);
    h.u32(this.coyote);
    h.u32(this.jumpBuffer);
    h.u32(this.attackTicks);
    h.u32(this.attackCooldown);
    h.u32(this.swing);
    h.u32(this.invulnerable);
    h.u32(this.hurtStun);
    h.u32(this.previousInput);
    h.f64(this.previousBottom);
    h.f64(this.maxX);
    h.u32(this.score);
    h.u32(this.kills);
    h.u32(this.coins);
    h.u32(this.killScore);
    h.u32(this.pickupScore);
    h.u32(this.platformLo);
    h.u32(this.platformHi);
    h.u32(this.pickupLo);
    h.u32(this.pickupHi);
    h.u32(this.nextEnemy);
    for (let i = this.pickupLo; i < this.pickupHi; i++) h.u32(this.collected[i]!);
    for (const enemy of this.enemies) {
      h.u32(enemy.spawn.index);
      h.u32(enemy.state);
      h.u32(enemy.hp);
      h.u32(enemy.timer);
      h.u32(enemy.hurtTicks);
      h.f64(enemy.x);
      h.f64(enemy.y);
      h.f64(enemy.vx);
      h.f64(enemy.vy);
      if (enemy.body) hashBody(h, enemy.body);
    }
    for (let i = 0; i < this.projectiles.length; i++) {
      const p = this.projectiles[i]!;
      if (!p.active) continue;
      h.u32(i);
      h.f64(p.x);
      h.f64(p.y);
      h.f64(p.vx);
      h.u32(p.life);
    }
    return h.hex();
  }

  /** The run's result so far; final once `ended` is true. */
  result(): RunResult {
    return {
      ticks: this.tick,
      score: this.score,
      distance: this.distance,
      kills: this.kills,
      coins: this.coins,
      outcome: this.outcome,
      finalHash: this.stateHash(),
    };
  }

  /** Progress past the start line in whole pixels. */
  get distance(): number {
    return Math.floor(this.maxX - PLAYER.startX);
  }

  /** Fraction of the course covered, 0 to 1. */
  get progress(): number {
    const span = this.course.finishX - PLAYER.startX;
    return Math.min(1, this.distance / span);
  }

  /** Course platform `index` is in the physics world now. */
  isPlatformActive(index: number): boolean {
    return index >= this.platformLo && index < this.platformHi;
  }

  // Step 1: the player's intent becomes a velocity.
  private controlPlayer(input: number): void {
    const body = this.playerBody;
    const pressedJump = (input & Input.JUMP) !== 0 && (this.previousInput & Input.JUMP) === 0;
    const pressedAttack = (input & Input.ATTACK) !== 0 && (this.previousInput & Input.ATTACK) === 0;
    let vx = body.velocity.x;
    let vy = body.velocity.y;

    if (this.grounded) {
      this.coyote = PLAYER.coyoteTicks;
      this.airJumps = 1;
    } else if (this.coyote > 0) {
      this.coyote--;
    }
    if (pressedJump) this.jumpBuffer = PLAYER.jumpBufferTicks;
    else if (this.jumpBuffer > 0) this.jumpBuffer--;

    if (this.jumpBuffer > 0 && this.coyote > 0) {
      vy = -PLAYER.jumpVelocity;
      this.jumpBuffer = 0;
      this.coyote = 0;
      this.jumping = true;
      this.emit(SimEventKind.JUMP, 0, body.position.x, body.position.y);
    } else if (pressedJump && this.airJumps > 0) {
      vy = -PLAYER.doubleJumpVelocity;
      this.airJumps--;
      this.jumpBuffer = 0;
      this.jumping = true;
      this.emit(SimEventKind.JUMP, 1, body.position.x, body.position.y);
    }
    if (this.jumping && (input & Input.JUMP) === 0 && vy < -PLAYER.jumpCutVelocity) {
      vy = -PLAYER.jumpCutVelocity;
    }
    if (vy >= 0) this.jumping = false;
    if (vy > PLAYER.maxFallSpeed) vy = PLAYER.maxFallSpeed;

    const direction = ((input & Input.RIGHT) !== 0 ? 1 : 0) - ((input & Input.LEFT) !== 0 ? 1 : 0);
    if (this.hurtStun > 0) {
      this.hurtStun--;
    } else {
      const accel = this.grounded ? PLAYER.groundAccel : PLAYER.airAccel;
      vx = approach(vx, direction * PLAYER.runSpeed, accel);
      if (direction !== 0) this.facing = direction > 0 ? 1 : -1;
    }

    if (this.attackTicks > 0) this.attackTicks--;
    if (this.attackCooldown > 0) this.attackCooldown--;
    if (pressedAttack && this.attackCooldown === 0) {
      this.attackTicks = ATTACK.activeTicks;
      this.attackCooldown = ATTACK.cooldownTicks;
      this.swing++;
      this.emit(SimEventKind.ATTACK, this.swing, body.position.x, body.position.y);
    }
    if (this.invulnerable > 0) this.invulnerable--;

    this.previousBottom = body.position.y + PLAYER.height / 2;
    this.setVelocity(body, vx, vy);
  }

  // Step 2: enemies decide where to go.
  private controlEnemies(): void {
    const px = this.playerBody.position.x;
    const py = this.playerBody.position.y;
    for (const enemy of this.enemies) {
      if (enemy.hurtTicks > 0) enemy.hurtTicks--;
      if (enemy.kind === EnemyKind.WALKER) this.controlWalker(enemy);
      else if (enemy.kind === EnemyKind.FLYER) controlFlyer(enemy, px, py);
      else this.controlShooter(enemy, px);
    }
  }

  private controlWalker(enemy: Enemy): void {
    const body = enemy.body!;
    if (body.position.x <= enemy.spawn.minX) enemy.state = 1;
    else if (body.position.x >= enemy.spawn.maxX) enemy.state = 0;
    const direction = enemy.state === 1 ? 1 : -1;
    this.setVelocity(body, direction * ENEMY.walker.speed, body.velocity.y);
  }

  private controlShooter(enemy: Enemy, px: number): void {
    const dx = px - enemy.x;
    if (dx > ENEMY.shooter.range || dx < -ENEMY.shooter.range || enemy.hurtTicks > 0) return;
    if (enemy.timer > 0) {
      enemy.timer--;
      return;
    }
    const direction = dx < 0 ? -1 : 1;
    enemy.state = direction > 0 ? 1 : 0;
    enemy.timer = this.rng.int(ENEMY.shooter.fireIntervalMin, ENEMY.shooter.fireIntervalMax);
    this.fire(enemy.x + direction * (enemy.halfWidth + 6), enemy.y - 6, direction);
    this.emit(SimEventKind.SHOT, enemy.spawn.index, enemy.x, enemy.y);
  }

  private fire(x: number, y: number, direction: number): void {
    for (const p of this.projectiles) {
      if (p.active) continue;
      p.active = true;
      p.x = x;
      p.y = y;
      p.vx = direction * PROJECTILE.speed;
      p.life = PROJECTILE.lifeTicks;
      return;
    }
  }

  private moveProjectiles(): void {
    for (const p of this.projectiles) {
      if (!p.active) continue;
      p.x += p.vx;
      p.life--;
      if (p.life <= 0 || this.insidePlatform(p.x, p.y)) p.active = false;
    }
  }

  // Step 3: read back what the physics did.
  private afterPhysics(): void {
    const body = this.playerBody;
    const halfWidth = PLAYER.width / 2;
    const leftLimit = this.maxX - PLAYER.backtrackAllowance;
    if (body.position.x - halfWidth < leftLimit) {
      this.setPosition(body, leftLimit + halfWidth, body.position.y);
      this.setVelocity(body, 0, body.velocity.y);
    }
    if (body.position.x > this.maxX) this.maxX = body.position.x;
    this.grounded = this.standsOnPlatform(body, halfWidth, PLAYER.height / 2);

    for (const enemy of this.enemies) {
      if (!enemy.body) continue;
      enemy.x = enemy.body.position.x;
      enemy.y = enemy.body.position.y;
      enemy.vx = enemy.body.velocity.x;
      enemy.vy = enemy.body.velocity.y;
    }
  }

  private standsOnPlatform(body: MatterBody, halfWidth: number, halfHeight: number): boolean {
    if (body.velocity.y < -0.5) return false;
    const bottom = body.position.y + halfHeight;
    const left = body.position.x - halfWidth + 1;
    const right = body.position.x + halfWidth - 1;
    const platforms = this.course.platforms;
    for (let i = this.platformLo; i < this.platformHi; i++) {
      const p = platforms[i]!;
      if (right <= p.x0 || left >= p.x1) continue;
      const depth = bottom - p.top;
      if (depth > -1.5 && depth < 2) return true;
    }
    return false;
  }

  private insidePlatform(x: number, y: number): boolean {
    const platforms = this.course.platforms;
    for (let i = this.platformLo; i < this.platformHi; i++) {
      const p = platforms[i]!;
      if (x > p.x0 && x < p.x1 && y > p.top && y < p.bottom) return true;
    }
    return false;
  }

  // Step 4: bring the window up to date with the player's progress.
  private updateWindow(): void {
    const ahead = this.maxX + WORLD.activeAhead;
    const behind = this.maxX - WORLD.activeBehind;
    const { platforms, enemies, pickups } = this.course;

    while (this.platformHi < platforms.length && platforms[this.platformHi]!.x0 < ahead) {
      this.addPlatform(platforms[this.platformHi]!);
      this.platformHi++;
    }
    while (this.platformLo < this.platformHi && platforms[this.platformLo]!.x1 < behind) {
      this.removePlatform(this.platformLo);
      this.platformLo++;
    }

    while (this.nextEnemy < enemies.length && enemies[this.nextEnemy]!.x < ahead - 300) {
      this.activateEnemy(enemies[this.nextEnemy]!);
      this.nextEnemy++;
    }
    for (let i = this.enemies.length - 1; i >= 0; i--) {
      const enemy = this.enemies[i]!;
      if (enemy.x < behind || enemy.y > WORLD.killPlaneY) this.removeEnemy(i);
    }

    while (this.pickupHi < pickups.length && pickups[this.pickupHi]!.x < ahead) this.pickupHi++;
    while (this.pickupLo < this.pickupHi && pickups[this.pickupLo]!.x < behind) this.pickupLo++;
  }

  private addPlatform(platform: Platform): void {
    const body = createPlatformBody(platform);
    this.platformBodies[platform.index] = body;
    Composite.add(this.engine.world, body);
  }

  private removePlatform(index: number): void {
    const body = this.platformBodies[index];
    if (!body) return;
    Composite.remove(this.engine.world, body);
    this.platformBodies[index] = null;
  }

  private activateEnemy(spawn: EnemySpawn): void {
    const enemy = new Enemy(spawn);
    if (spawn.kind === EnemyKind.WALKER) {
      enemy.body = createWalkerBody(spawn);
      Composite.add(this.engine.world, enemy.body);
    } else if (spawn.kind === EnemyKind.SHOOTER) {
      enemy.timer = 60;
    }
    this.enemies.push(enemy);
  }

  private removeEnemy(i: number): void {
    const enemy = this.enemies[i]!;
    if (enemy.body) Composite.remove(this.engine.world, enemy.body);
    enemy.body = null;
    this.enemies.splice(i, 1);
  }

  // Step 5: the player's swing hits enemies and shots in front of them.
  private resolveAttack(): void {
    if (this.attackTicks === 0) return;
    const body = this.playerBody;
    const halfWidth = PLAYER.width / 2;
    const x0 =
      this.facing > 0
        ? body.position.x + halfWidth - 4
        : body.position.x - halfWidth - ATTACK.reach;
    const x1 = x0 + ATTACK.reach + 4;
    const y0 = body.position.y - ATTACK.height / 2;
    const y1 = body.position.y + ATTACK.height / 2;

    for (let i = this.enemies.length - 1; i >= 0; i--) {
      const enemy = this.enemies[i]!;
      if (enemy.lastSwingHit === this.swing) continue;
      if (!overlaps(x0, x1, y0, y1, enemy)) continue;
      enemy.lastSwingHit = this.swing;
      enemy.hp--;
      enemy.hurtTicks = ENEMY.shooter.hurtTicks;
      if (enemy.hp <= 0) this.kill(i);
    }
    for (const p of this.projectiles) {
      if (p.active && p.x > x0 && p.x < x1 && p.y > y0 && p.y < y1) p.active = false;
    }
  }

  private kill(i: number): void {
    const enemy = this.enemies[i]!;
    this.kills++;
    this.killScore += ENEMY[enemy.kind].score;
    this.emit(SimEventKind.KILL, enemy.spawn.index, enemy.x, enemy.y);
    this.removeEnemy(i);
  }

  // Step 6: touching enemies and shots hurts, landing on walkers and flyers kills them.
  private resolveContacts(): void {
    const body = this.playerBody;
    const halfWidth = PLAYER.width / 2 - 2;
    const halfHeight = PLAYER.height / 2 - 2;
    const x0 = body.position.x - halfWidth;
    const x1 = body.position.x + halfWidth;
    const y0 = body.position.y - halfHeight;
    const y1 = body.position.y + halfHeight;

    for (let i = this.enemies.length - 1; i >= 0; i--) {
      const enemy = this.enemies[i]!;
      if (!overlaps(x0, x1, y0, y1, enemy)) continue;
      const enemyTop = enemy.y - enemy.halfHeight;
      const stompable = enemy.kind !== EnemyKind.SHOOTER;
      if (stompable && body.velocity.y > 0.5 && this.previousBottom <= enemyTop + 8) {
        this.kill(i);
        this.setVelocity(body, body.velocity.x, -PLAYER.stompBounce);
        this.jumping = true;
        this.airJumps = 1;
        continue;
      }
      this.hurt(enemy.spawn.index, enemy.x);
    }
    for (const p of this.projectiles) {
      if (!p.active) continue;
      const hw = PROJECTILE.width / 2;
      const hh = PROJECTILE.height / 2;
      if (p.x + hw < x0 || p.x - hw > x1 || p.y + hh < y0 || p.y - hh > y1) continue;
      p.active = false;
      this.hurt(-1, p.x);
    }
  }

  private hurt(subject: number, fromX: number): void {
    if (this.invulnerable > 0 || this.hp === 0) return;
    const body = this.playerBody;
    this.hp--;
    this.invulnerable = PLAYER.invulnerableTicks;
    this.hurtStun = HURT_STUN_TICKS;
    this.jumping = false;
    const away = body.position.x < fromX ? -1 : 1;
    this.setVelocity(body, away * PLAYER.knockbackX, -PLAYER.knockbackY);
    this.emit(SimEventKind.HIT, subject, body.position.x, body.position.y);
  }

  private collectPickups(): void {
    const body = this.playerBody;
    const reachX = PLAYER.width / 2 + PICKUP.size / 2;
    const reachY = PLAYER.height / 2 + PICKUP.size / 2;
    const pickups = this.course.pickups;
    for (let i = this.pickupLo; i < this.pickupHi; i++) {
      if (this.collected[i] === 1) continue;
      const pickup = pickups[i]!;
      const dx = pickup.x - body.position.x;
      const dy = pickup.y - body.position.y;
      if (dx > reachX || dx < -reachX || dy > reachY || dy < -reachY) continue;
      this.collected[i] = 1;
      if (pickup.kind === PickupKind.COIN) {
        this.coins++;
        this.pickupScore += PICKUP.coinScore;
      } else if (this.hp < PLAYER.maxHp) {
        this.hp++;
      } else {
        this.pickupScore += PICKUP.heartScoreWhenFull;
      }
      this.emit(SimEventKind.PICKUP, i, pickup.x, pickup.y);
    }
  }

  private judgeEnd(): void {
    const body = this.playerBody;
    if (this.hp === 0) this.outcome = Outcome.DEFEATED;
    else if (body.position.y > WORLD.killPlaneY) this.outcome = Outcome.FELL;
    else if (body.position.x >= this.course.finishX) this.outcome = Outcome.FINISHED;
    else if (this.tick >= MAX_RUN_TICKS) this.outcome = Outcome.TIMED_OUT;
    else return;

    const kind = this.outcome === Outcome.FINISHED ? SimEventKind.FINISH : SimEventKind.DEATH;
    this.emit(kind, OUTCOME_CODE[this.outcome], body.position.x, body.position.y);
  }

  private updateScore(): void {
    let score =
      Math.floor(this.distance / SCORE.pixelsPerPoint) + this.killScore + this.pickupScore;
    if (this.outcome === Outcome.FINISHED) {
      const spare = Math.max(0, SCORE.parTicks - this.tick);
      score += SCORE.finishBonus + Math.floor(spare / SCORE.ticksPerTimePoint);
    }
    this.score = score;
  }

  private emit(kind: SimEventKind, subject: number, x: number, y: number): void {
    if (this.eventCount === MAX_EVENTS) return;
    const event = this.eventPool[this.eventCount++]!;
    event.kind = kind;
    event.subject = subject;
    event.x = x;
    event.y = y;
  }

  private setVelocity(body: MatterBody, vx: number, vy: number): void {
    this.scratch.x = vx;
    this.scratch.y = vy;
    Body.setVelocity(body, this.scratch);
  }

  private setPosition(body: MatterBody, x: number, y: number): void {
    this.scratch.x = x;
    this.scratch.y = y;
    Body.setPosition(body, this.scratch);
  }

  private makePlayerView(): PlayerView {
    return {
      x: 0,
      y: 0,
      vx: 0,
      vy: 0,
      hp: 0,
      facing: 1,
      grounded: false,
      attackTicks: 0,
      attackCooldown: 0,
      invulnerableTicks: 0,
      airJumps: 0,
    };
  }

  private refreshPlayerView(): void {
    const view = this.player as { -readonly [K in keyof PlayerView]: PlayerView[K] };
    const body = this.playerBody;
    view.x = body.position.x;
    view.y = body.position.y;
    view.vx = body.velocity.x;
    view.vy = body.velocity.y;
    view.hp = this.hp;
    view.facing = this.facing;
    view.grounded = this.grounded;
    view.attackTicks = this.attackTicks;
    view.attackCooldown = this.attackCooldown;
    view.invulnerableTicks = this.invulnerable;
    view.airJumps = this.airJumps;
  }
}

/** Creates a run. Throws a `RangeError` for a ruleset this build does not support. */
export function createRun(options: RunOptions): Run {
  return new Run(options);
}

function approach(value: number, target: number, step: number): number {
  if (value < target) return value + step > target ? target : value + step;
  if (value > target) return value - step < target ? target : value - step;
  return value;
}
