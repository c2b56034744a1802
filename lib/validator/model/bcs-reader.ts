import { NonCanonicalTransactionError } from '../errors';
import { hex32At } from './hex32';

const U32_MAX = 0xffff_ffff;

/**
 * Reads BCS strictly: every value has exactly one encoding, so anything a
 * lenient reader would accept and a writer would never produce (a length
 * not minimally encoded, a bool other than 0 or 1, bytes past the end or
 * left over) is refused with a `NonCanonicalTransactionError` naming the
 * field. Reading what the writer wrote and writing it again gives the same
 * bytes.
 */
export class BcsReader {
  private offset = 0;
  private readonly data: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  byte(path: string): number {
    this.need(1, path);
    return this.bytes[this.offset++] as number;
  }

  bool(path: string): boolean {
    const value = this.byte(path);
    if (value > 1) this.fail(path, `a bool is 0 or 1, got ${value}`, 1);
    return value === 1;
  }

  /** A u64, as a bigint. */
  u64(path: string): bigint {
    this.need(8, path);
    const value = this.data.getBigUint64(this.offset, true);
    this.offset += 8;
    return value;
  }

  /** A u64 that TypeScript holds as a number (versions): above 2^53 - 1 it could not round-trip. */
  safeU64(path: string): number {
    this.need(8, path);
    const low = this.data.getUint32(this.offset, true);
    const high = this.data.getUint32(this.offset + 4, true);
    if (high > 0x1f_ffff) this.fail(path, 'a version above 2^53 - 1', 0);
    this.offset += 8;
    return high * 0x1_0000_0000 + low;
  }

  /**
   * A vector's length (ULEB128, at most u32 as in BCS, minimally encoded).
   * Each element takes at least `minElementSize` bytes, so a length the rest
   * of the bytes cannot hold is refused before anything is allocated for it.
   */
  length(path: string, minElementSize: number): number {
    const start = this.offset;
    let value = 0;
    let shift = 1;
    for (;;) {
      const byte = this.byte(path);
      value += (byte & 0x7f) * shift;
      // A u32 takes at most five ULEB128 bytes.
      if (value > U32_MAX || (byte >= 0x80 && this.offset - start === 5)) this.fail(path, 'a length above u32', this.offset - start);
      if (byte < 0x80) {
        if (byte === 0 && this.offset - start > 1) this.fail(path, 'a length not minimally encoded', this.offset - start);
        break;
      }
      shift *= 0x80;
    }
    if (value * minElementSize > this.bytes.length - this.offset) this.fail(path, `a length of ${value} past the end of the bytes`, this.offset - start);
    return value;
  }

  /** 32 bytes, as `0x` and lower-case hex. */
  hex32(path: string): string {
    this.need(32, path);
    const hex = hex32At(this.bytes, this.offset);
    this.offset += 32;
    return hex;
  }

  /** The next `count` bytes, as a view of the input (copy it to keep it). */
  raw(count: number, path: string): Uint8Array {
    this.need(count, path);
    this.offset += count;
    return this.bytes.subarray(this.offset - count, this.offset);
  }

  /** @throws NonCanonicalTransactionError if any bytes are left after `what` was read. */
  end(what = 'the transaction'): void {
    if (this.offset !== this.bytes.length) this.fail('end', `${this.bytes.length - this.offset} bytes after ${what}`, 0);
  }

  /** Refuse the value that started `back` bytes ago. */
  fail(path: string, detail: string, back: number): never {
    throw new NonCanonicalTransactionError(path, `${detail} (byte ${this.offset - back})`);
  }

  private need(size: number, path: string): void {
    if (this.offset + size > this.bytes.length) this.fail(path, 'the bytes end before it does', 0);
  }
}
