import * as Phaser from 'phaser';
import { ENEMY, PICKUP, PLAYER, PROJECTILE, SimEventKind, WORLD } from '@truerun/shared-sim';
import type { Course, Enemy, Run, SimEvent } from '@truerun/shared-sim';
import { FrameStats } from './frame-stats.ts';
import type { GhostPose } from './ghosts.ts';
import { COLOURS, skinColour } from './palette.ts';
import type { GameSession } from './session.ts';

/** Size of the game's drawing surface; the canvas scales to fit its box. */
export const VIEW_WIDTH = 960;
export const VIEW_HEIGHT = 540;

/** A short-lived drawing: a burst, a sparkle or a floating number. */
interface Effect {
  kind: 'burst' | 'sparkle' | 'dust';
  x: number;
  y: number;
  colour: number;
  age: number;
  life: number;
}

const MAX_EFFECTS = 64;
const GHOST_ALPHA = 0.38;

/**
 * Draws a `GameSession` with Phaser. Phaser only draws: the session owns the simulation and
 * the scene reads its state every frame. Static parts (platforms, the finish flag, the
 * parallax layers) are built once per course; moving parts are redrawn every frame into one
 * Graphics object, for only what the camera sees.
 */
export class RunScene extends Phaser.Scene {
  /** Timings of the frames drawn so far. */
  readonly stats = new FrameStats();

  private readonly session: GameSession;
  private readonly skin: number;
  private course: Course | null = null;
  private layers: ParallaxLayer[] = [];
  private pieces: { graphics: Phaser.GameObjects.Graphics; x0: number; x1: number }[] = [];
  private dynamic: Phaser.GameObjects.Graphics | null = null;
  private labels = new Map<string, Phaser.GameObjects.Text>();
  private effects: Effect[] = [];
  private readonly pose: GhostPose = { x: 0, y: 0, facing: 1 };
  private cameraY = WORLD.startTop - VIEW_HEIGHT * 0.62;
  private hurtFlash = 0;

  constructor(session: GameSession, skin: string | null) {
    super({ key: 'run' });
    this.session = session;
    this.skin = skinColour(skin);
  }

  create(): void {
    // A frame's work runs from Phaser's step (the simulation is inside it) to its render's end.
    let frameStart = 0;
    this.game.events.on(Phaser.Core.Events.PRE_STEP, () => (frameStart = performance.now()));
    this.game.events.on(Phaser.Core.Events.POST_RENDER, () =>
      this.stats.record(frameStart, performance.now() - frameStart),
    );
    this.makeTextures();
    // The sky is the page's own gradient behind a transparent canvas: no pixels to draw.
    this.layers = [
      this.parallax('clouds', 40, 1200, 0.08, 0.004),
      this.parallax('far', 120, 1024, 0.2, 0),
      this.parallax('near', 250, 768, 0.45, 0),
    ];
    // Below the near hills, the valley floor seen through the gaps.
    this.add
      .graphics()
      .setScrollFactor(0)
      .fillStyle(COLOURS.nearHills)
      .fillRect(0, 455, VIEW_WIDTH, 90);
    this.dynamic = this.add.graphics();
  }

  override update(): void {
    const started = performance.now();
    const session = this.session;
    const run = session.run;
    if (run && this.course !== run.course) this.buildCourse(run.course);

    session.frame(started);
    if (run) {
      for (const event of session.events) this.onEvent(event);
      this.draw(run, started);
    }
  }

  /** Two copies of a texture side by side, moved each frame so they seem endless. */
  private parallax(key: string, y: number, width: number, factor: number, drift: number) {
    const images = [0, 1].map((i) =>
      this.add
        .image(i * width, y, key)
        .setOrigin(0)
        .setScrollFactor(0),
    );
    return { images, width, factor, drift };
  }

  // Textures for the parallax layers, drawn once with flat shapes.
  private makeTextures(): void {
    const g = this.make.graphics({}, false);

    g.fillStyle(COLOURS.cloud, 0.55);
    for (const [x, y, r] of [
      [80, 60, 28],
      [115, 50, 36],
      [150, 64, 26],
      [420, 120, 22],
      [450, 110, 30],
      [480, 122, 20],
      [700, 40, 24],
      [730, 34, 32],
    ] as const) {
      g.fillCircle(x, y, r);
    }
    g.generateTexture('clouds', 1200, 260).clear();

    g.fillStyle(COLOURS.farHills);
    ridge(g, 1024, 290, [120, 40, 160, 70, 30, 140, 90, 60], 0);
    g.generateTexture('far', 1024, 290).clear();

    g.fillStyle(COLOURS.nearHills);
    ridge(g, 768, 210, [60, 110, 30, 90, 70, 20], 1);
    g.generateTexture('near', 768, 210).destroy();
  }

  // One Graphics per platform, drawn once; only those in view are rendered each frame.
  private buildCourse(course: Course): void {
    this.course = course;
    for (const piece of this.pieces) piece.graphics.destroy();
    this.pieces = course.platforms.map((p) => {
      const g = this.add.graphics({ x: p.x0, y: p.top });
      drawPlatform(g, p.x1 - p.x0, p.floating);
      return { graphics: g, x0: p.x0, x1: p.x1 };
    });
    const flag = this.add.graphics();
    this.drawFinish(flag, course);
    const finishX = course.finishX;
    this.pieces.push({ graphics: flag, x0: finishX - 10, x1: finishX + 100 });
    this.children.bringToTop(this.dynamic!);
  }

  private cullPieces(left: number, right: number): void {
    for (const piece of this.pieces) piece.graphics.setVisible(piece.x1 > left && piece.x0 < right);
  }

  private drawFinish(g: Phaser.GameObjects.Graphics, course: Course): void {
    const last = course.platforms[course.platforms.length - 1]!;
    const x = course.finishX;
    const top = last.top;
    g.fillStyle(COLOURS.flagPole).fillRect(x - 3, top - 170, 6, 170);
    const cell = 14;
    for (let row = 0; row < 4; row++) {
      for (let col = 0; col < 6; col++) {
        g.fillStyle((row + col) % 2 === 0 ? COLOURS.flagA : COLOURS.flagB);
        g.fillRect(x + 3 + col * cell, top - 168 + row * cell, cell, cell);
      }
    }
    g.fillStyle(COLOURS.flagA, 0.25).fillRect(x - 2, top - 4, 2, 4);
  }

  private onEvent(event: SimEvent): void {
    if (event.kind === SimEventKind.HIT) {
      this.hurtFlash = 1;
      this.cameras.main.shake(160, 0.008);
      this.addEffect('burst', event.x, event.y, COLOURS.hurt, 20);
    } else if (event.kind === SimEventKind.KILL) {
      this.addEffect('burst', event.x, event.y, COLOURS.swing, 26);
      this.cameras.main.shake(90, 0.004);
    } else if (event.kind === SimEventKind.PICKUP) {
      const pickup = this.course?.pickups[event.subject];
      const colour = pickup?.kind === 'heart' ? COLOURS.heart : COLOURS.coin;
      this.addEffect('sparkle', event.x, event.y, colour, 22);
    } else if (event.kind === SimEventKind.JUMP) {
      this.addEffect('dust', event.x, event.y + PLAYER.height / 2, COLOURS.cloud, 16);
    } else if (event.kind === SimEventKind.FINISH) {
      this.cameras.main.flash(400, 255, 255, 255);
    }
  }

  private addEffect(kind: Effect['kind'], x: number, y: number, colour: number, life: number) {
    if (this.effects.length >= MAX_EFFECTS) this.effects.shift();
    this.effects.push({ kind, x, y, colour, age: 0, life });
  }

  private draw(run: Run, nowMs: number): void {
    // Between two ticks the player is drawn where it would be now, not where the last tick was.
    const alpha = run.ended ? 1 : Math.min(1, this.session.clock.alpha);
    const before = this.session.previousPosition;
    const px = before.x + (run.player.x - before.x) * alpha;
    const py = before.y + (run.player.y - before.y) * alpha;
    this.moveCamera(px, py);

    const cam = this.cameras.main;
    const left = cam.scrollX - 80;
    const right = cam.scrollX + VIEW_WIDTH + 80;
    for (const layer of this.layers) scrollLayer(layer, cam.scrollX, nowMs);

    this.cullPieces(left, right);
    const g = this.dynamic!;
    g.clear();
    this.drawPickups(g, run, left, right, nowMs);
    for (const enemy of run.enemies) {
      if (enemy.x > left && enemy.x < right) this.drawEnemy(g, enemy, run.tick);
    }
    this.drawShots(g, run, left, right);
    this.drawGhosts(g, nowMs);
    this.drawPlayer(g, run, px, py);
    this.drawEffects(g);
    if (this.hurtFlash > 0) {
      g.fillStyle(COLOURS.hurt, this.hurtFlash * 0.25);
      g.fillRect(cam.scrollX, cam.scrollY, VIEW_WIDTH, VIEW_HEIGHT);
      this.hurtFlash = Math.max(0, this.hurtFlash - 0.08);
    }
  }

  private moveCamera(px: number, py: number): void {
    const cam = this.cameras.main;
    const targetY = Math.min(WORLD.killPlaneY - VIEW_HEIGHT + 60, py - VIEW_HEIGHT * 0.6);
    this.cameraY += (targetY - this.cameraY) * 0.12;
    cam.setScroll(Math.round(px - VIEW_WIDTH * 0.3), Math.round(this.cameraY));
  }

  private drawPickups(
    g: Phaser.GameObjects.Graphics,
    run: Run,
    left: number,
    right: number,
    nowMs: number,
  ): void {
    const pickups = run.course.pickups;
    const r = PICKUP.size / 2;
    for (let i = firstAtOrAfter(pickups, left); i < pickups.length; i++) {
      const p = pickups[i]!;
      if (p.x > right) break;
      if (run.collected[i] === 1) continue;
      const bob = Math.sin(nowMs / 260 + i) * 3;
      if (p.kind === 'coin') {
        const squeeze = 0.55 + 0.45 * Math.abs(Math.cos(nowMs / 300 + i * 0.7));
        g.fillStyle(COLOURS.coin).fillEllipse(p.x, p.y + bob, r * 2 * squeeze, r * 2);
        g.fillStyle(COLOURS.coinShine).fillEllipse(p.x - 2, p.y + bob - 3, r * squeeze * 0.7, r);
      } else {
        g.fillStyle(COLOURS.heart);
        g.fillCircle(p.x - 5, p.y + bob - 3, 6).fillCircle(p.x + 5, p.y + bob - 3, 6);
        g.fillTriangle(p.x - 11, p.y + bob - 1, p.x + 11, p.y + bob - 1, p.x, p.y + bob + 11);
      }
    }
  }

  private drawEnemy(g: Phaser.GameObjects.Graphics, enemy: Enemy, tick: number): void {
    const spec = ENEMY[enemy.kind];
    const w = spec.width;
    const h = spec.height;
    const x = enemy.x;
    const y = enemy.y;
    const hurt = enemy.hurtTicks > 0 && tick % 4 < 2;

    if (enemy.kind === 'walker') {
      const step = Math.sin(tick / 5) * 3;
      g.fillStyle(hurt ? COLOURS.swing : COLOURS.walker);
      g.fillRoundedRect(x - w / 2, y - h / 2, w, h, 10);
      g.fillStyle(COLOURS.walkerDark);
      g.fillRect(x - w / 2 + 4, y + h / 2 - 6 + step, 9, 6).fillRect(
        x + w / 2 - 13,
        y + h / 2 - 6 - step,
        9,
        6,
      );
      const look = enemy.state === 1 ? 4 : -4;
      eyes(g, x + look, y - 5, 6);
    } else if (enemy.kind === 'flyer') {
      const flap = Math.sin(tick / 3) * 9;
      g.fillStyle(COLOURS.flyerWing);
      g.fillTriangle(x - 4, y - 2, x - w, y - 10 - flap, x - w / 2, y + 6);
      g.fillTriangle(x + 4, y - 2, x + w, y - 10 - flap, x + w / 2, y + 6);
      g.fillStyle(hurt ? COLOURS.swing : COLOURS.flyer).fillEllipse(x, y, w * 0.8, h);
      eyes(g, x + (enemy.vx < 0 ? -3 : 3), y - 3, 5);
    } else {
      const facing = enemy.state === 1 ? 1 : -1;
      g.fillStyle(COLOURS.shooterDark).fillRect(
        x + facing * (w / 2 - 2) - (facing < 0 ? 14 : 0),
        y - 10,
        14,
        8,
      );
      g.fillStyle(hurt ? COLOURS.swing : COLOURS.shooter);
      g.fillRoundedRect(x - w / 2, y - h / 2, w, h, 6);
      g.fillStyle(COLOURS.shooterDark).fillRect(x - w / 2, y + h / 2 - 8, w, 8);
      eyes(g, x + facing * 4, y - 8, 6);
      if (enemy.hp < ENEMY.shooter.hp) {
        g.lineStyle(2, COLOURS.pupil, 0.7).lineBetween(x - 8, y + 2, x + 2, y + 10);
      }
    }
  }

  private drawShots(g: Phaser.GameObjects.Graphics, run: Run, left: number, right: number) {
    for (const shot of run.projectiles) {
      if (!shot.active || shot.x < left || shot.x > right) continue;
      g.fillStyle(COLOURS.shot, 0.35).fillCircle(shot.x, shot.y, PROJECTILE.width * 0.9);
      g.fillStyle(COLOURS.shot).fillEllipse(shot.x, shot.y, PROJECTILE.width, PROJECTILE.height);
      g.fillStyle(COLOURS.shotCore).fillCircle(shot.x, shot.y, 2.5);
    }
  }

  private drawGhosts(g: Phaser.GameObjects.Graphics, nowMs: number): void {
    const seen = new Set<string>();
    for (const ghost of this.session.ghostList()) {
      if (!this.session.ghostPose(ghost.id, nowMs, this.pose)) continue;
      seen.add(ghost.id);
      const alpha = ghost.done ? GHOST_ALPHA / 2 : GHOST_ALPHA;
      const label = this.ghostLabel(ghost.id, ghost.name);
      const cam = this.cameras.main;
      const y = Math.max(cam.scrollY + 60, Math.min(cam.scrollY + VIEW_HEIGHT - 20, this.pose.y));

      // A ghost off screen shows as an arrow on the edge it is beyond.
      if (this.pose.x > cam.scrollX + VIEW_WIDTH || this.pose.x < cam.scrollX) {
        const ahead = this.pose.x > cam.scrollX;
        const edge = ahead ? cam.scrollX + VIEW_WIDTH - 8 : cam.scrollX + 8;
        const back = ahead ? -16 : 16;
        g.fillStyle(0xe8f0ff, 0.7).fillTriangle(edge, y, edge + back, y - 10, edge + back, y + 10);
        label.setOrigin(ahead ? 1 : 0, 0.5).setPosition(edge + back * 1.4, y);
        continue;
      }
      body(g, this.pose.x, this.pose.y, this.pose.facing, 0xe8f0ff, alpha);
      label.setOrigin(0.5, 1).setPosition(this.pose.x, this.pose.y - PLAYER.height / 2 - 6);
    }
    for (const [id, label] of this.labels) {
      if (seen.has(id)) continue;
      label.destroy();
      this.labels.delete(id);
    }
  }

  private ghostLabel(id: string, name: string): Phaser.GameObjects.Text {
    let label = this.labels.get(id);
    if (!label) {
      label = this.add.text(0, 0, name, {
        fontFamily: 'system-ui, sans-serif',
        fontSize: '13px',
        color: '#e8f0ff',
      });
      label.setAlpha(0.75);
      this.labels.set(id, label);
    }
    return label;
  }

  private drawPlayer(g: Phaser.GameObjects.Graphics, run: Run, x: number, y: number): void {
    const player = run.player;
    const blinking = player.invulnerableTicks > 0 && run.tick % 8 < 4;
    body(g, x, y, player.facing, blinking ? COLOURS.swing : this.skin, blinking ? 0.55 : 1);

    if (player.attackTicks > 0) {
      const progress = 1 - player.attackTicks / 12;
      const reach = PLAYER.width / 2 + 46;
      const start = player.facing > 0 ? -1.2 + progress * 1.6 : Math.PI + 1.2 - progress * 1.6;
      const sweep = player.facing > 0 ? 0.9 : -0.9;
      g.fillStyle(COLOURS.swing, 0.5 * (1 - progress) + 0.2);
      g.slice(x, y, reach, Math.min(start, start + sweep), Math.max(start, start + sweep));
      g.fillPath();
      g.lineStyle(3, COLOURS.swing, 0.9);
      g.beginPath().arc(
        x,
        y,
        reach,
        Math.min(start, start + sweep),
        Math.max(start, start + sweep),
      );
      g.strokePath();
    }
  }

  private drawEffects(g: Phaser.GameObjects.Graphics): void {
    let kept = 0;
    for (const effect of this.effects) {
      effect.age++;
      if (effect.age >= effect.life) continue;
      this.effects[kept++] = effect;
      const t = effect.age / effect.life;
      if (effect.kind === 'burst') {
        g.lineStyle(3, effect.colour, 1 - t).strokeCircle(effect.x, effect.y, 6 + t * 34);
        for (let i = 0; i < 6; i++) {
          const angle = (i / 6) * Math.PI * 2;
          const d = 8 + t * 40;
          g.fillStyle(effect.colour, 1 - t);
          g.fillRect(effect.x + Math.cos(angle) * d - 2, effect.y + Math.sin(angle) * d - 2, 4, 4);
        }
      } else if (effect.kind === 'sparkle') {
        g.fillStyle(effect.colour, 1 - t);
        for (let i = 0; i < 4; i++) {
          const angle = (i / 4) * Math.PI * 2 + t * 2;
          g.fillCircle(
            effect.x + Math.cos(angle) * t * 22,
            effect.y - t * 20 + Math.sin(angle) * t * 10,
            3,
          );
        }
      } else {
        g.fillStyle(effect.colour, 0.5 * (1 - t));
        g.fillEllipse(effect.x - 6 - t * 10, effect.y, 8 + t * 6, 4);
        g.fillEllipse(effect.x + 6 + t * 10, effect.y, 8 + t * 6, 4);
      }
    }
    this.effects.length = kept;
  }
}

/** A background layer that scrolls at `factor` times the camera, plus `drift` px per ms. */
interface ParallaxLayer {
  images: Phaser.GameObjects.Image[];
  width: number;
  factor: number;
  drift: number;
}

function scrollLayer(layer: ParallaxLayer, scrollX: number, nowMs: number): void {
  const travelled = scrollX * layer.factor + nowMs * layer.drift;
  const offset = -(((travelled % layer.width) + layer.width) % layer.width);
  layer.images[0]!.x = Math.round(offset);
  layer.images[1]!.x = Math.round(offset) + layer.width;
}

/** A platform drawn at the origin: soil with a few bricks and a grass top, or a wooden ledge. */
function drawPlatform(g: Phaser.GameObjects.Graphics, width: number, floating: boolean): void {
  if (floating) {
    g.fillStyle(COLOURS.ledgeBody).fillRect(0, 0, width, WORLD.floatThickness);
    g.fillStyle(COLOURS.ledgeTop).fillRect(0, 0, width, 6);
    return;
  }
  // Deep enough to reach below the lowest camera position.
  const depth = WORLD.killPlaneY + 200 - WORLD.minTop;
  g.fillStyle(COLOURS.groundBody).fillRect(0, 0, width, depth);
  g.fillStyle(COLOURS.groundStripe);
  for (let row = 0; row < 4; row++) {
    for (let x = 12 + (row % 2) * 32; x < width - 24; x += 64) g.fillRect(x, 40 + row * 46, 22, 10);
  }
  g.fillStyle(COLOURS.groundTopEdge).fillRect(0, 0, width, 14);
  g.fillStyle(COLOURS.groundTop).fillRect(0, 0, width, 9);
}

/** The runner: a rounded body with a visor looking where it faces. */
function body(
  g: Phaser.GameObjects.Graphics,
  x: number,
  y: number,
  facing: number,
  colour: number,
  alpha: number,
): void {
  const w = PLAYER.width;
  const h = PLAYER.height;
  g.fillStyle(colour, alpha).fillRoundedRect(x - w / 2, y - h / 2, w, h, 9);
  g.fillStyle(0x1d1d2b, alpha).fillRoundedRect(
    x - w / 2 + (facing > 0 ? 10 : 2),
    y - h / 2 + 8,
    16,
    9,
    4,
  );
  g.fillStyle(0x9ff3ff, alpha).fillRect(x + (facing > 0 ? 8 : -12), y - h / 2 + 10, 4, 4);
}

function eyes(g: Phaser.GameObjects.Graphics, x: number, y: number, r: number): void {
  g.fillStyle(COLOURS.eye)
    .fillCircle(x - r, y, r)
    .fillCircle(x + r, y, r);
  g.fillStyle(COLOURS.pupil)
    .fillCircle(x - r + 1, y + 1, r / 2)
    .fillCircle(x + r + 1, y + 1, r / 2);
}

// A closed hill line across a texture, seamless because both ends sit at the same height.
function ridge(
  g: Phaser.GameObjects.Graphics,
  width: number,
  height: number,
  peaks: readonly number[],
  style: number,
): void {
  const point = (x: number, y: number) => new Phaser.Math.Vector2(x, y);
  const points = [point(0, height), point(0, height - 60)];
  const step = width / peaks.length;
  for (let i = 0; i < peaks.length; i++) {
    points.push(point(i * step + step * 0.5, height - 60 - peaks[i]!));
    points.push(point((i + 1) * step, height - 60 - (style === 0 ? 10 : 25)));
  }
  points.push(point(width, height - 60), point(width, height));
  g.fillPoints(points, true);
}

/** Index of the first item whose x is at least `x`, in a list sorted by x. */
function firstAtOrAfter(items: readonly { x: number }[], x: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.x < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * WebGL when the browser has a GPU behind it, otherwise Canvas. A software WebGL (SwiftShader,
 * llvmpipe) draws this game at a few frames per second, where Canvas holds 60.
 */
export function preferredRenderer(): 'webgl' | 'canvas' {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return 'canvas';
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return /swiftshader|llvmpipe|software/i.test(name) ? 'canvas' : 'webgl';
}

/** Starts Phaser drawing `session` inside `parent`. */
export function startGame(
  parent: HTMLElement,
  session: GameSession,
  skin: string | null,
  renderer: 'auto' | 'webgl' | 'canvas' = 'auto',
): { game: Phaser.Game; scene: RunScene } {
  const scene = new RunScene(session, skin);
  const choice = renderer === 'auto' ? preferredRenderer() : renderer;
  const type = choice === 'webgl' ? Phaser.WEBGL : Phaser.CANVAS;
  const game = new Phaser.Game({
    type,
    parent,
    width: VIEW_WIDTH,
    height: VIEW_HEIGHT,
    transparent: true,
    scene,
    banner: false,
    audio: { noAudio: true },
    input: { keyboard: false, mouse: false, touch: false, gamepad: false },
    scale: { mode: Phaser.Scale.FIT, autoCenter: Phaser.Scale.CENTER_BOTH },
    render: { antialias: true, pixelArt: false },
    fps: { smoothStep: false },
  });
  return { game, scene };
}
