import { bcs } from '@mysten/bcs';
import fc from 'fast-check';
import { ulebSize, writeHex32, writeUleb } from '../../lib/state/direct-bcs';

describe('direct BCS primitives', () => {
  it('writes ULEB128 lengths as BCS does, in the size it announces', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 31 - 1 }), (value) => {
        const expected = bcs.uleb128().serialize(value).toBytes();
        const bytes = new Uint8Array(8);
        expect(writeUleb(bytes, 0, value)).toBe(ulebSize(value));
        expect(bytes.subarray(0, ulebSize(value))).toEqual(expected);
      }),
    );
  });

  it('writes 32 raw bytes from hex, and refuses anything else', () => {
    const bytes = new Uint8Array(34);
    expect(writeHex32(bytes, 1, `0x${'0f'.repeat(32)}`)).toBe(33);
    expect([...bytes.subarray(0, 3)]).toEqual([0, 15, 15]);
    expect(() => writeHex32(bytes, 0, `0x${"0f".repeat(31)}0g`)).toThrow(TypeError);
    expect(() => writeHex32(bytes, 0, '0f'.repeat(33))).toThrow(TypeError);
  });
});
