import { bcs } from '@mysten/bcs';
import fc from 'fast-check';
import { BcsScratch } from '../../../lib/validator/model/direct-bcs';

describe('BcsScratch', () => {
  it('writes ULEB128 lengths, u32 and u64 as BCS does', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 31 - 1 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (length, big) => {
        const expected = [...bcs.uleb128().serialize(length).toBytes(), ...bcs.u32().serialize(length).toBytes(), ...bcs.u64().serialize(big).toBytes()];
        expect([...new BcsScratch().uleb(length).u32(length).u64(big).view()]).toEqual(expected);
      }),
    );
  });

  it('writes a number as the u64 of the same value, and refuses what is not a u64', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (value) => {
        expect(new BcsScratch().u64(value).copy()).toEqual(new BcsScratch().u64(BigInt(value)).copy());
      }),
    );
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN]) expect(() => new BcsScratch().u64(bad)).toThrow(RangeError);
  });

  it('gives views that show the bytes of the moment, before and after growing', () => {
    const scratch = new BcsScratch();
    expect([...scratch.reset().byte(1).byte(2).view()]).toEqual([1, 2]);
    expect([...scratch.reset().byte(3).byte(4).view()]).toEqual([3, 4]); // a view of the same length, reused
    const big = Uint8Array.from({ length: 300 }, (_, i) => i % 256);
    expect(scratch.reset().bytes(big).view()).toEqual(big); // grown past its first buffer
    expect([...scratch.reset().byte(5).byte(6).view()]).toEqual([5, 6]); // views of the new buffer
  });

  it('writes 32 raw bytes from hex, and refuses anything else', () => {
    expect([...new BcsScratch().byte(7).hex32(`0x${'0f'.repeat(32)}`).view().subarray(0, 3)]).toEqual([7, 15, 15]);
    expect(() => new BcsScratch().hex32(`0x${'0f'.repeat(31)}0g`)).toThrow(TypeError);
    expect(() => new BcsScratch().hex32('0f'.repeat(33))).toThrow(TypeError);
  });

  it('grows past its first buffer without losing what was written, and starts over on reset', () => {
    const scratch = new BcsScratch();
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
    for (let i = 0; i < 10; i++) scratch.bytes(bytes);
    const copy = scratch.copy();
    expect(copy.length).toBe(10_000);
    expect(copy.subarray(9000)).toEqual(bytes);
    expect(scratch.reset().byte(1).view()).toEqual(Uint8Array.of(1));
    expect(copy[0]).toBe(0); // the copy is its own
  });
});
