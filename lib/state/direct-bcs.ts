/**
 * The few BCS primitives the hot-path encoders write directly into a
 * pre-sized buffer (fast-object-encoding.ts, fast-effects-encoding.ts). Each
 * returns the offset after what it wrote.
 */

/** 32 raw bytes from `0x` and 64 hex digits. */
export function writeHex32(bytes: Uint8Array, at: number, hex: string): number {
  // Buffer stops silently at the first non-hex digit: a short write means bad input.
  if (hex.length !== 66 || !hex.startsWith('0x') || Buffer.from(bytes.buffer, bytes.byteOffset + at, 32).write(hex.slice(2), 'hex') !== 32) {
    throw new TypeError(`expected 0x and 64 hex digits, got ${JSON.stringify(hex)}`);
  }
  return at + 32;
}

/** A u64, little-endian. */
export function writeU64(view: DataView, at: number, value: bigint | number): number {
  view.setBigUint64(at, typeof value === 'bigint' ? value : BigInt(value), true);
  return at + 8;
}

/** A u32, little-endian. */
export function writeU32(view: DataView, at: number, value: number): number {
  view.setUint32(at, value, true);
  return at + 4;
}

/** How many bytes `value` takes as ULEB128 (BCS's length prefix). */
export function ulebSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

/** `value` as ULEB128. */
export function writeUleb(bytes: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    bytes[at++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  bytes[at++] = value;
  return at;
}
