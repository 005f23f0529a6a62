/**
 * Seeded pseudo-random numbers from integer arithmetic only (sfc32), so that every JavaScript
 * engine produces the same sequence. The whole state is four 32-bit words that can be hashed
 * and copied.
 */
export class Prng {
  a = 0;
  b = 0;
  c = 0;
  d = 0;

  /** Seeds from a 32-bit integer; any other number is truncated to its low 32 bits. */
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.nextU32();
  }

  /** The next uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** An integer in [min, max], both inclusive. The range must be below 2^21 wide. */
  int(min: number, max: number): number {
    return min + Math.floor((this.nextU32() * (max - min + 1)) / 4294967296);
  }

  /** True with probability permille / 1000. */
  chance(permille: number): boolean {
    return this.int(0, 999) < permille;
  }
}

/** Mixes a 32-bit seed into an unrelated one, for independent streams from one run seed. */
export function deriveSeed(seed: number, stream: number): number {
  let h = Math.imul((seed ^ 0x85ebca6b) >>> 0, 0xcc9e2d51) ^ Math.imul(stream, 0x1b873593);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
