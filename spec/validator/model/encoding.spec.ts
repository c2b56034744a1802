import fc from 'fast-check';
import { Bytes32, ObjectBcs, decodeTransactionData, encodeObject, encodeTransactionData } from '../../../lib/validator/model/encoding';
import { contents, hex32, owner, transactionData } from '../arbitraries';

describe('canonical encoding', () => {
  it('round-trips any transaction, byte for byte', () => {
    fc.assert(
      fc.property(transactionData, (tx) => {
        const bytes = encodeTransactionData(tx);
        expect(decodeTransactionData(bytes)).toEqual(tx);
        expect(encodeTransactionData(decodeTransactionData(bytes))).toEqual(bytes);
      }),
    );
  });

  it('writes objects byte for byte as the BCS schema does', () => {
    fc.assert(
      fc.property(hex32, fc.nat(), owner, contents, hex32, (id, version, o, c, previousTransaction) => {
        const object = { id, version, owner: o, contents: c, previousTransaction };
        expect(encodeObject(object)).toEqual(ObjectBcs.serialize(object).toBytes());
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips any object', () => {
    fc.assert(
      fc.property(hex32, fc.nat(), owner, contents, hex32, (id, version, o, c, previousTransaction) => {
        const object = { id, version, owner: o, contents: c, previousTransaction };
        expect(ObjectBcs.parse(encodeObject(object))).toEqual(object);
      }),
    );
  });

  it('encodes ids as 32 raw bytes and versions as little-endian u64', () => {
    const id = `0x${'ab'.repeat(32)}`;
    const bytes = encodeObject({
      id,
      version: 258,
      owner: { kind: 'immutable' },
      contents: { type: 'coin', balance: 1n },
      previousTransaction: `0x${'00'.repeat(32)}`,
    });
    expect(bytes.subarray(0, 32)).toEqual(new Uint8Array(32).fill(0xab));
    expect([...bytes.subarray(32, 40)]).toEqual([2, 1, 0, 0, 0, 0, 0, 0]);
  });
});

describe('Bytes32', () => {
  it.each([['0x12'], [`0x${'zz'.repeat(32)}`], [`0x${'ab'.repeat(31)}g0`], [`ab${'ab'.repeat(32)}`]])('refuses %s', (bad) => {
    expect(() => Bytes32.serialize(bad)).toThrow(/expected 0x and 64 hex digits/);
  });
});
