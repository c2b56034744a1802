/**
 * `0x` and the lower-case hex of 32 bytes, as one flat string. Digests and
 * decoded ids are made several times per transaction and kept: hex output
 * that is then prefixed makes a two-part string V8 flattens later, so the
 * characters are written into one reused buffer and read out once.
 */
export function hex32At(bytes: Uint8Array, offset: number): string {
  for (let i = 0; i < 32; i++) hexChars[i + 1] = HEX_PAIRS[bytes[offset + i] as number] as number;
  return hexText.toString('latin1', 0, 66);
}

/** Whether `value` is `0x` and 64 lower-case hex digits: the one spelling of 32 bytes. */
export function isCanonicalHex32(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 66 || value.charCodeAt(0) !== 0x30 || value.charCodeAt(1) !== 0x78) return false;
  for (let i = 2; i < 66; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/** Each byte's two hex characters, as one 16-bit unit in this platform's byte order. */
const HEX_PAIRS = new Uint16Array(256);
const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
for (let byte = 0; byte < 256; byte++) {
  const high = '0123456789abcdef'.charCodeAt(byte >> 4);
  const low = '0123456789abcdef'.charCodeAt(byte & 15);
  HEX_PAIRS[byte] = littleEndian ? high | (low << 8) : (high << 8) | low;
}
const hexMemory = new ArrayBuffer(66);
const hexChars = new Uint16Array(hexMemory);
const hexText = Buffer.from(hexMemory);
hexText.write('0x', 0, 'latin1');

/** Each hex digit's value by character code (either case, as Buffer's hex reads them); -1 for anything else. */
const HEX_VALUES = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit++) {
  HEX_VALUES['0123456789abcdef'.charCodeAt(digit)] = digit;
  HEX_VALUES['0123456789ABCDEF'.charCodeAt(digit)] = digit;
}

/**
 * Write the 32 bytes that `0x` and 64 hex digits spell into `out` at `at`,
 * and say whether `hex` was that (if not, what was written is garbage).
 * Written here rather than with Buffer's hex decoding: that one is a native
 * call, a copy of the string and a parse, about 0.6 µs, and ids are decoded
 * several times per object a transaction writes.
 */
export function writeHex32(hex: string, out: Uint8Array, at: number): boolean {
  if (hex.length !== 66 || hex.charCodeAt(0) !== 0x30 || hex.charCodeAt(1) !== 0x78) return false;
  let codes = 0;
  let values = 0;
  for (let i = 0; i < 32; i++) {
    const high = hex.charCodeAt(2 + 2 * i);
    const low = hex.charCodeAt(3 + 2 * i);
    codes |= high | low;
    const highValue = HEX_VALUES[high & 0x7f] as number;
    const lowValue = HEX_VALUES[low & 0x7f] as number;
    // -1 (every bit set) for a non-digit: it shows in `values` below.
    values |= highValue | lowValue;
    out[at + i] = (highValue << 4) | (lowValue & 0x0f);
  }
  return codes < 0x80 && values >= 0;
}
