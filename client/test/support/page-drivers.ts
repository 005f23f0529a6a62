/**
 * Scripts that run inside the game page and play it through the keyboard, the way a player
 * would: before each tick they dispatch the key presses and releases for that tick's input.
 * Bundled for the page by `pageDriverBundle()`.
 */
import { BotPolicy } from '../../../shared-sim/src/bot.ts';
import { Input } from '../../../shared-sim/src/input.ts';
import type { Run } from '../../../shared-sim/src/run.ts';

const KEYS: readonly [number, string][] = [
  [Input.LEFT, 'ArrowLeft'],
  [Input.RIGHT, 'ArrowRight'],
  [Input.JUMP, 'Space'],
  [Input.ATTACK, 'KeyJ'],
];

interface HookedSession {
  hooks: { beforeTick?: (run: Run) => void };
}

function session(): HookedSession {
  const handle = (window as unknown as { truerun?: { session: HookedSession } }).truerun;
  if (!handle) throw new Error('the game page is not showing a run');
  return handle.session;
}

/**
 * Presses and releases keys so that exactly `bits` are held. Held keys are pressed again on
 * every tick, as a keyboard's auto-repeat does, so a pause that released them does not lose
 * them.
 */
function holdKeys(held: number, bits: number): number {
  for (const [bit, code] of KEYS) {
    const down = (bits & bit) !== 0;
    if (!down && (held & bit) === 0) continue;
    const type = down ? 'keydown' : 'keyup';
    window.dispatchEvent(
      new KeyboardEvent(type, {
        code,
        key: code,
        bubbles: true,
        repeat: down && (held & bit) !== 0,
      }),
    );
  }
  return bits;
}

/**
 * Plays with the shared-sim bot for `playTicks` ticks, then only holds right, so the run soon
 * ends in the next gap. Returns nothing; the run goes on by itself.
 */
export function playWithBot(playTicks: number): void {
  const policy = new BotPolicy();
  let held = 0;
  session().hooks.beforeTick = (run) => {
    const bits = run.tick < playTicks ? policy.decide(run) : Input.RIGHT;
    held = holdKeys(held, bits);
  };
}

/**
 * A cheater's client: it runs right into the first gap, and its simulation adds 5,000 points
 * to its own score (a patched kill score), so its claim cannot match the server's replay.
 */
export function playTampered(): void {
  let held = 0;
  session().hooks.beforeTick = (run) => {
    (run as unknown as { killScore: number }).killScore = 5_000;
    held = holdKeys(held, Input.RIGHT);
  };
}
