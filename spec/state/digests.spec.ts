import { blake2b256Hex, scopedDigest } from '../../lib/state/digests';

describe('digests', () => {
  it('is Blake2b-256 (RFC 7693 parameters, 32-byte output)', () => {
    expect(blake2b256Hex(new TextEncoder().encode('abc'))).toBe(
      '0xbddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319',
    );
  });

  it('separates scopes: the same bytes digest differently as a transaction and as effects', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(scopedDigest('TransactionData', bytes)).not.toBe(scopedDigest('TransactionEffects', bytes));
    expect(scopedDigest('Object', bytes)).toBe(scopedDigest('Object', bytes));
  });
});
