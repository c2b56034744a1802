import fc from 'fast-check';
import { hex32At, isCanonicalHex32, writeHex32 } from '../../../lib/validator/model/hex32';

/**
 * The 32 bytes `text` spells, by Buffer's hex decoding, if it is `0x` and 64
 * ASCII hex digits; else undefined. (Buffer alone is no oracle: it reads a
 * character by its low byte, so it takes `İ`, U+0130, for `0`.)
 */
function bufferDecoding(text: string): Uint8Array | undefined {
  if (!/^0x[0-9a-fA-F]{64}$/.test(text)) return undefined;
  return Buffer.from(text.slice(2), 'hex');
}

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
/** Hex in either case, and texts one character away from it: a non-digit (ASCII or not), one too few or many, no prefix. */
const texts = fc.oneof(
  bytes32.map((b) => `0x${Buffer.from(b).toString('hex')}`),
  bytes32.map((b) => `0x${Buffer.from(b).toString('hex').toUpperCase()}`),
  fc.tuple(bytes32, fc.nat(63), fc.constantFrom('g', 'G', ' ', 'x', '/', ':', '@', '`', '\u0130', '\u0161', '\u{1F600}', '\0')).map(
    ([b, at, c]) => {
      const hex = Buffer.from(b).toString('hex');
      return `0x${hex.slice(0, at)}${c}${hex.slice(at + 1)}`;
    },
  ),
  bytes32.map((b) => `0x${Buffer.from(b).toString('hex').slice(1)}`),
  bytes32.map((b) => `0x${Buffer.from(b).toString('hex')}0`),
  bytes32.map((b) => `0X${Buffer.from(b).toString('hex')}`),
  bytes32.map((b) => `00${Buffer.from(b).toString('hex')}`),
  fc.string({ minLength: 66, maxLength: 66 }),
);

describe('writeHex32', () => {
  it('accepts exactly 0x and 64 ASCII hex digits, either case, and writes the bytes Buffer decodes them to', () => {
    fc.assert(
      fc.property(texts, fc.nat(8), (text, at) => {
        const out = new Uint8Array(40);
        const ok = writeHex32(text, out, at);
        const expected = bufferDecoding(text);
        expect(ok).toBe(expected !== undefined);
        if (expected) expect(Buffer.from(out.subarray(at, at + 32)).equals(Buffer.from(expected))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('round-trips with hex32At, which writes the canonical spelling', () => {
    fc.assert(
      fc.property(bytes32, (value) => {
        const hex = hex32At(value, 0);
        expect(isCanonicalHex32(hex)).toBe(true);
        const out = new Uint8Array(32);
        expect(writeHex32(hex, out, 0)).toBe(true);
        expect([...out]).toEqual([...value]);
      }),
    );
  });

  it('refuses a character that only its low byte makes a digit, which Buffer takes for one', () => {
    const text = `0x\u0130${'0'.repeat(63)}`;
    expect(Buffer.from(text.slice(2), 'hex').length).toBe(32);
    expect(writeHex32(text, new Uint8Array(32), 0)).toBe(false);
  });

  it('writes nothing outside its 32 bytes', () => {
    const out = new Uint8Array(34).fill(7);
    expect(writeHex32(`0x${'ab'.repeat(32)}`, out, 1)).toBe(true);
    expect([out[0], out[33]]).toEqual([7, 7]);
    expect(out.subarray(1, 33).every((b) => b === 0xab)).toBe(true);
  });
});
