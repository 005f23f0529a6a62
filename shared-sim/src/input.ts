/**
 * One tick of player input is a small bitfield. Bits outside `INPUT_MASK` are undefined and a
 * stream carrying them is malformed.
 */
export const Input = {
  LEFT: 1,
  RIGHT: 2,
  JUMP: 4,
  ATTACK: 8,
} as const;

export type InputBit = (typeof Input)[keyof typeof Input];

/** All defined input bits. */
export const INPUT_MASK = Input.LEFT | Input.RIGHT | Input.JUMP | Input.ATTACK;

/** True when `bits` is an integer that uses only defined input bits. */
export function isValidInput(bits: number): boolean {
  return Number.isInteger(bits) && bits >= 0 && (bits & ~INPUT_MASK) === 0;
}
