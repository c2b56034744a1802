import { writeHex32 } from './hex32';

/**
 * A reusable buffer that hot-path encoders write BCS into directly
 * (fast-object-encoding.ts, fast-effects-encoding.ts): no writer objects, no
 * per-call buffers. The bytes are hashed in place, or copied out.
 */
export class BcsScratch {
  private buffer = new Uint8Array(256);
  private data = new DataView(this.buffer.buffer);
  /** The same bytes as a Buffer, for its native UTF-8 encoding. */
  private nodeBuffer = Buffer.from(this.buffer.buffer);
  /** Views of the first n bytes, by n: encodings repeat a few lengths, and a view costs an allocation. */
  private views = new Map<number, Uint8Array>();
  /** Bytes written since the last `reset`. */
  length = 0;

  reset(): this {
    this.length = 0;
    return this;
  }

  /** What was written: a view, valid until the next write. */
  view(): Uint8Array {
    let view = this.views.get(this.length);
    if (!view) this.views.set(this.length, (view = this.buffer.subarray(0, this.length)));
    return view;
  }

  /** What was written, as a new array of its own. */
  copy(): Uint8Array {
    return new Uint8Array(this.view());
  }

  byte(value: number): this {
    this.reserve(1);
    this.buffer[this.length++] = value;
    return this;
  }

  /** A u32, little-endian. */
  u32(value: number): this {
    this.reserve(4);
    this.data.setUint32(this.length, value, true);
    this.length += 4;
    return this;
  }

  /** A u64, little-endian. */
  u64(value: bigint | number): this {
    this.reserve(8);
    if (typeof value === 'bigint') this.data.setBigUint64(this.length, value, true);
    else if (Number.isSafeInteger(value) && value >= 0) {
      // Versions and epochs are numbers: two u32 halves, no BigInt allocated.
      this.data.setUint32(this.length, value >>> 0, true);
      this.data.setUint32(this.length + 4, Math.floor(value / 0x1_0000_0000), true);
    } else throw new RangeError(`not a u64: ${value}`);
    this.length += 8;
    return this;
  }

  /** A length prefix, as ULEB128. */
  uleb(value: number): this {
    this.reserve(10);
    while (value >= 0x80) {
      this.buffer[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buffer[this.length++] = value;
    return this;
  }

  /** 32 raw bytes from `0x` and 64 hex digits. @throws TypeError on anything else */
  hex32(hex: string): this {
    this.reserve(32);
    if (typeof hex !== 'string' || !writeHex32(hex, this.buffer, this.length)) {
      throw new TypeError(`expected 0x and 64 hex digits, got ${JSON.stringify(hex)}`);
    }
    this.length += 32;
    return this;
  }

  /** A string's UTF-8 bytes (its length is the caller's to write first). */
  utf8(text: string): this {
    const size = Buffer.byteLength(text, 'utf8');
    this.reserve(size);
    this.nodeBuffer.write(text, this.length, size, 'utf8');
    this.length += size;
    return this;
  }

  bytes(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  private reserve(size: number): void {
    if (this.length + size <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + size));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.data = new DataView(grown.buffer);
    this.nodeBuffer = Buffer.from(grown.buffer);
    this.views = new Map();
  }
}
