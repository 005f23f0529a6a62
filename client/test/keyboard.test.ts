import { describe, expect, it } from 'vitest';
import { Input } from '@truerun/shared-sim';
import { HeldControls } from '../app/game/keyboard.ts';

describe('HeldControls', () => {
  it('maps keys to input bits and ignores other keys', () => {
    const controls = new HeldControls();
    expect(controls.key('ArrowRight', true)).toBe(true);
    expect(controls.key('KeyJ', true)).toBe(true);
    expect(controls.key('KeyQ', true)).toBe(false);
    expect(controls.sample()).toBe(Input.RIGHT | Input.ATTACK);
    controls.key('KeyJ', false);
    expect(controls.sample()).toBe(Input.RIGHT);
  });

  it('reports a tap shorter than a tick once', () => {
    const controls = new HeldControls();
    controls.key('Space', true);
    controls.key('Space', false);
    expect(controls.sample()).toBe(Input.JUMP);
    expect(controls.sample()).toBe(0);
  });

  it('combines keys with touch buttons, and releases everything on blur', () => {
    const controls = new HeldControls();
    controls.key('KeyA', true);
    controls.touch(Input.JUMP, true);
    expect(controls.sample()).toBe(Input.LEFT | Input.JUMP);
    controls.releaseAll();
    expect(controls.sample()).toBe(0);
  });
});
