import { Input } from '@truerun/shared-sim';

/** Which input bit each key sets, by `KeyboardEvent.code`. */
export const KEY_BINDINGS: Readonly<Record<string, number>> = {
  ArrowLeft: Input.LEFT,
  KeyA: Input.LEFT,
  ArrowRight: Input.RIGHT,
  KeyD: Input.RIGHT,
  ArrowUp: Input.JUMP,
  KeyW: Input.JUMP,
  Space: Input.JUMP,
  KeyJ: Input.ATTACK,
  KeyK: Input.ATTACK,
  KeyX: Input.ATTACK,
};

/** Keys that toggle the pause menu. */
export const PAUSE_KEYS: readonly string[] = ['Escape', 'KeyP'];

/**
 * The controls held right now, as input bits: keys and on-screen touch buttons together.
 * A press shorter than a tick still reaches the simulation: a bit pressed since the last
 * sample is reported once even if it was released again before it.
 */
export class HeldControls {
  private held = 0;
  private touched = 0;
  private pressedSinceSample = 0;

  /** Applies a key going down or up; returns true if the key is one of the game's. */
  key(code: string, down: boolean): boolean {
    const bit = KEY_BINDINGS[code];
    if (bit === undefined) return false;
    if (down) {
      this.held |= bit;
      this.pressedSinceSample |= bit;
    } else {
      this.held &= ~bit;
    }
    return true;
  }

  /** Applies a touch button going down or up. */
  touch(bit: number, down: boolean): void {
    if (down) {
      this.touched |= bit;
      this.pressedSinceSample |= bit;
    } else {
      this.touched &= ~bit;
    }
  }

  /** The input bits for the next tick. */
  sample(): number {
    const bits = this.held | this.touched | this.pressedSinceSample;
    this.pressedSinceSample = 0;
    return bits;
  }

  /** Releases everything, for when the window loses focus and key-ups would be missed. */
  releaseAll(): void {
    this.held = 0;
    this.touched = 0;
    this.pressedSinceSample = 0;
  }
}
