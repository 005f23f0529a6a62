import { INPUT_MASK } from './input.ts';
import { MAX_RUN_TICKS } from './rules.ts';

/**
 * Compact encoding of a run's inputs, one byte per tick before encoding.
 *
 * Layout (version 1): one version byte, then runs of `[input byte][tick count as LEB128]`.
 * The encoding is canonical: adjacent runs carry different inputs, counts are at least one and
 * use the fewest bytes, so one input sequence has exactly one encoding.
 */
export const INPUT_STREAM_VERSION = 1;

/** Largest encoded stream accepted, in bytes. A full-length run of changing inputs fits. */
export const MAX_INPUT_STREAM_BYTES = 1 + MAX_RUN_TICKS * 2;

export const InputStreamErrorCode = {
  EMPTY: 'stream/empty',
  UNSUPPORTED_VERSION: 'stream/unsupported_version',
  OVERSIZED: 'stream/oversized',
  TRUNCATED: 'stream/truncated',
  UNDEFINED_BITS: 'stream/undefined_bits',
  ZERO_RUN: 'stream/zero_run',
  NON_CANONICAL: 'stream/non_canonical',
  TOO_MANY_TICKS: 'stream/too_many_ticks',
} as const;

export type InputStreamErrorCode = (typeof InputStreamErrorCode)[keyof typeof InputStreamErrorCode];

/** Raised by `decodeInputStream` for data that is not a valid stream; `code` is stable. */
export class InputStreamError extends Error {
  readonly code: InputStreamErrorCode;
  /** Byte offset at which decoding failed. */
  readonly offset: number;

  constructor(code: InputStreamErrorCode, offset: number, message: string) {
    super(message);
    this.name = 'InputStreamError';
    this.code = code;
    this.offset = offset;
  }
}

/** Encodes per-tick inputs (one byte each, defined bits only). */
export function encodeInputStream(inputs: ArrayLike<number>): Uint8Array {
  if (inputs.length > MAX_RUN_TICKS) {
    throw new RangeError(`${inputs.length} ticks exceed the longest run, ${MAX_RUN_TICKS}`);
  }
  const out = new Uint8Array(1 + inputs.length * 4);
  out[0] = INPUT_STREAM_VERSION;
  let at = 1;
  let i = 0;
  while (i < inputs.length) {
    const bits = inputs[i]!;
    if ((bits & ~INPUT_MASK) !== 0 || bits < 0 || !Number.isInteger(bits)) {
      throw new RangeError(`input at tick ${i} has undefined bits: ${bits}`);
    }
    let count = 1;
    while (i + count < inputs.length && inputs[i + count] === bits) count++;
    out[at++] = bits;
    at = writeVarint(out, at, count);
    i += count;
  }
  return out.slice(0, at);
}

/**
 * Decodes a stream into per-tick inputs. Rejects with an `InputStreamError` anything that is
 * not the canonical encoding of at most `maxTicks` ticks of defined inputs; a `data` that is
 * not a Uint8Array or a `maxTicks` outside [0, MAX_RUN_TICKS] is a caller's error (TypeError,
 * RangeError).
 */
export function decodeInputStream(data: Uint8Array, maxTicks = MAX_RUN_TICKS): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new TypeError('input stream must be a Uint8Array');
  if (!Number.isInteger(maxTicks) || maxTicks < 0 || maxTicks > MAX_RUN_TICKS) {
    throw new RangeError(`maxTicks ${maxTicks} is outside [0, ${MAX_RUN_TICKS}]`);
  }
  if (data.length === 0) {
    throw new InputStreamError(InputStreamErrorCode.EMPTY, 0, 'input stream is empty');
  }
  if (data[0] !== INPUT_STREAM_VERSION) {
    throw new InputStreamError(
      InputStreamErrorCode.UNSUPPORTED_VERSION,
      0,
      `input stream version ${data[0]} is not supported`,
    );
  }
  if (data.length > MAX_INPUT_STREAM_BYTES) {
    throw new InputStreamError(
      InputStreamErrorCode.OVERSIZED,
      0,
      `input stream of ${data.length} bytes exceeds ${MAX_INPUT_STREAM_BYTES}`,
    );
  }

  const ticks = new Uint8Array(maxTicks);
  let total = 0;
  let previous = -1;
  let at = 1;
  while (at < data.length) {
    const runStart = at;
    const bits = data[at++]!;
    if ((bits & ~INPUT_MASK) !== 0) {
      throw new InputStreamError(
        InputStreamErrorCode.UNDEFINED_BITS,
        runStart,
        `input byte ${bits} at offset ${runStart} has undefined bits`,
      );
    }
    if (bits === previous) {
      throw new InputStreamError(
        InputStreamErrorCode.NON_CANONICAL,
        runStart,
        `run at offset ${runStart} repeats the previous input`,
      );
    }

    const [count, next] = readVarint(data, at);
    if (count === 0) {
      throw new InputStreamError(
        InputStreamErrorCode.ZERO_RUN,
        at,
        `run at offset ${runStart} has zero ticks`,
      );
    }
    if (total + count > maxTicks) {
      throw new InputStreamError(
        InputStreamErrorCode.TOO_MANY_TICKS,
        at,
        `input stream holds more than ${maxTicks} ticks`,
      );
    }
    ticks.fill(bits, total, total + count);
    total += count;
    previous = bits;
    at = next;
  }
  return ticks.slice(0, total);
}

function writeVarint(out: Uint8Array, at: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    out[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[at++] = v;
  return at;
}

/** Reads an unsigned LEB128 of at most three bytes (values below 2^21). */
function readVarint(data: Uint8Array, start: number): [number, number] {
  let value = 0;
  let shift = 0;
  let at = start;
  for (;;) {
    if (at >= data.length) {
      throw new InputStreamError(
        InputStreamErrorCode.TRUNCATED,
        at,
        `input stream ends inside a tick count at offset ${at}`,
      );
    }
    const byte = data[at++]!;
    value |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) {
      if (byte === 0 && at - start > 1) {
        throw new InputStreamError(
          InputStreamErrorCode.NON_CANONICAL,
          start,
          `tick count at offset ${start} is not minimally encoded`,
        );
      }
      return [value, at];
    }
    shift += 7;
    if (shift >= 21) {
      throw new InputStreamError(
        InputStreamErrorCode.TOO_MANY_TICKS,
        start,
        `tick count at offset ${start} is too large`,
      );
    }
  }
}
