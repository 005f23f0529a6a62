import { describe, expect, it } from 'vitest';
import {
  INPUT_STREAM_VERSION,
  Input,
  InputStreamError,
  InputStreamErrorCode,
  MAX_INPUT_STREAM_BYTES,
  MAX_RUN_TICKS,
  decodeInputStream,
  encodeInputStream,
} from '../src/index.ts';

function decodeError(data: Uint8Array, maxTicks?: number): InputStreamError {
  try {
    decodeInputStream(data, maxTicks);
  } catch (err) {
    if (err instanceof InputStreamError) return err;
    throw err;
  }
  throw new Error('decoding succeeded');
}

describe('input stream encoding', () => {
  it('encodes runs of equal inputs as one entry each', () => {
    const inputs = [2, 2, 2, 6, 6, 0];
    expect([...encodeInputStream(inputs)]).toEqual([INPUT_STREAM_VERSION, 2, 3, 6, 2, 0, 1]);
  });

  it('round-trips long runs with multi-byte counts', () => {
    const inputs = new Uint8Array(20_000);
    inputs.fill(Input.RIGHT, 0, 300);
    inputs.fill(Input.RIGHT | Input.JUMP, 300, 301);
    inputs.fill(Input.ATTACK, 301, 20_000);
    const encoded = encodeInputStream(inputs);
    expect(encoded.length).toBe(1 + 3 + 2 + 4);
    expect(decodeInputStream(encoded, 20_000)).toEqual(inputs);
  });

  it('encodes an empty run as the version byte alone', () => {
    expect([...encodeInputStream([])]).toEqual([INPUT_STREAM_VERSION]);
    expect(decodeInputStream(new Uint8Array([INPUT_STREAM_VERSION]))).toEqual(new Uint8Array(0));
  });

  it('refuses to encode undefined bits', () => {
    expect(() => encodeInputStream([2, 16])).toThrow(/undefined bits/);
  });

  it('refuses to encode more ticks than a run can last', () => {
    expect(() => encodeInputStream(new Uint8Array(MAX_RUN_TICKS + 1))).toThrow(RangeError);
  });

  it("treats a wrong argument as the caller's error, not as malformed data", () => {
    const valid = encodeInputStream([2, 2, 6]);
    expect(() => decodeInputStream([1, 2, 3] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => decodeInputStream(valid, Number.NaN)).toThrow(RangeError);
    expect(() => decodeInputStream(valid, -1)).toThrow(RangeError);
    expect(() => decodeInputStream(valid, MAX_RUN_TICKS + 1)).toThrow(RangeError);
  });
});

describe('input stream decoding rejects malformed data', () => {
  it('rejects an empty buffer', () => {
    expect(decodeError(new Uint8Array(0)).code).toBe(InputStreamErrorCode.EMPTY);
  });

  it('rejects an unknown version', () => {
    const error = decodeError(new Uint8Array([2, 2, 5]));
    expect(error.code).toBe(InputStreamErrorCode.UNSUPPORTED_VERSION);
    expect(error.offset).toBe(0);
  });

  it('rejects a stream cut inside a count', () => {
    expect(decodeError(new Uint8Array([1, 2, 0x85])).code).toBe(InputStreamErrorCode.TRUNCATED);
  });

  it('rejects a stream cut after an input byte', () => {
    expect(decodeError(new Uint8Array([1, 2, 5, 4])).code).toBe(InputStreamErrorCode.TRUNCATED);
  });

  it('rejects undefined input bits with their offset', () => {
    const error = decodeError(new Uint8Array([1, 2, 5, 0x12, 1]));
    expect(error.code).toBe(InputStreamErrorCode.UNDEFINED_BITS);
    expect(error.offset).toBe(3);
  });

  it('rejects a zero-length run', () => {
    expect(decodeError(new Uint8Array([1, 2, 0])).code).toBe(InputStreamErrorCode.ZERO_RUN);
  });

  it('rejects adjacent runs of the same input', () => {
    const error = decodeError(new Uint8Array([1, 2, 3, 2, 3]));
    expect(error.code).toBe(InputStreamErrorCode.NON_CANONICAL);
  });

  it('rejects a count with redundant continuation bytes', () => {
    const error = decodeError(new Uint8Array([1, 2, 0x83, 0x00]));
    expect(error.code).toBe(InputStreamErrorCode.NON_CANONICAL);
  });

  it('rejects more ticks than a run can last', () => {
    const count = MAX_RUN_TICKS + 1;
    const tooLong = new Uint8Array([
      1,
      2,
      (count & 0x7f) | 0x80,
      ((count >> 7) & 0x7f) | 0x80,
      count >> 14,
    ]);
    expect(decodeError(tooLong).code).toBe(InputStreamErrorCode.TOO_MANY_TICKS);
    expect(decodeError(encodeInputStream([2, 2, 2]), 2).code).toBe(
      InputStreamErrorCode.TOO_MANY_TICKS,
    );
  });

  it('rejects a count wider than three bytes', () => {
    const error = decodeError(new Uint8Array([1, 2, 0xff, 0xff, 0xff, 0x01]));
    expect(error.code).toBe(InputStreamErrorCode.TOO_MANY_TICKS);
  });

  it('rejects oversized data before decoding it', () => {
    const data = new Uint8Array(MAX_INPUT_STREAM_BYTES + 1);
    data[0] = INPUT_STREAM_VERSION;
    expect(decodeError(data).code).toBe(InputStreamErrorCode.OVERSIZED);
  });
});
