const scratchF64 = new Float64Array(1);
const scratchU32 = new Uint32Array(scratchF64.buffer);

/**
 * Hashes the exact bits of a sequence of numbers into 64 bits (two independent 32-bit lanes).
 * Floats are hashed by their IEEE-754 representation, so a difference in the last bit shows.
 * Not cryptographic: it detects divergence, it does not authenticate.
 *
 * Limitation: the float words are read through a typed-array view in the platform's byte order;
 * every engine Truerun targets runs little-endian, and a big-endian engine would hash differently.
 */
export class StateHasher {
  private h1 = 0;
  private h2 = 0;

  reset(): void {
    this.h1 = 0x811c9dc5;
    this.h2 = 0x9747b28c;
  }

  u32(value: number): void {
    const v = value >>> 0;
    this.h1 = Math.imul(this.h1 ^ v, 0x01000193);
    let k = Math.imul(v, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    this.h2 = Math.imul(this.h2 ^ Math.imul(k, 0x1b873593), 5) + 0xe6546b64;
    this.h2 = (this.h2 << 13) | (this.h2 >>> 19);
  }

  f64(value: number): void {
    scratchF64[0] = value;
    this.u32(scratchU32[0]!);
    this.u32(scratchU32[1]!);
  }

  /** High lane of the digest, an unsigned 32-bit integer. */
  get high(): number {
    return this.h1 >>> 0;
  }

  /** Low lane of the digest, an unsigned 32-bit integer. */
  get low(): number {
    let h = this.h2 ^ (this.h2 >>> 16);
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    return h >>> 0;
  }

  /** The digest as 16 lowercase hex digits. */
  hex(): string {
    return this.high.toString(16).padStart(8, '0') + this.low.toString(16).padStart(8, '0');
  }
}
