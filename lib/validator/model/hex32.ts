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
