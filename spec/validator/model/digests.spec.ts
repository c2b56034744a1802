import fc from 'fast-check';
import { createBLAKE2b } from 'hash-wasm';
import { blake2b256Hex, digestBackend, digestsReady, jsBlake2b256Hex, scopedDigest, wasmBlake2b256Hex } from '../../../lib/validator/model/digests';

const ABC = '0xbddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319';

describe('digests', () => {
  it('is Blake2b-256 (RFC 7693 parameters, 32-byte output), in both implementations', async () => {
    const abc = new TextEncoder().encode('abc');
    expect(jsBlake2b256Hex(abc)).toBe(ABC);
    expect(wasmBlake2b256Hex(await createBLAKE2b(256), abc)).toBe(ABC);
    await digestsReady();
    expect(blake2b256Hex(abc)).toBe(ABC);
  });

  it('runs in WebAssembly once digestsReady() resolves', async () => {
    await digestsReady();
    expect(digestBackend()).toBe('wasm');
  });

  it('gives the same digest in JavaScript and WebAssembly, whatever the bytes and however they are split', async () => {
    const hasher = await createBLAKE2b(256);
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }), (parts) => {
        const whole = Uint8Array.from(parts.flatMap((part) => [...part]));
        const expected = jsBlake2b256Hex(whole);
        expect(jsBlake2b256Hex(...parts)).toBe(expected);
        expect(wasmBlake2b256Hex(hasher, ...parts)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('separates scopes: the same bytes digest differently as a transaction and as effects', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(scopedDigest('TransactionData', bytes)).not.toBe(scopedDigest('TransactionEffects', bytes));
    expect(scopedDigest('Object', bytes)).toBe(scopedDigest('Object', bytes));
    expect(scopedDigest('Object', bytes)).toBe(jsBlake2b256Hex(Uint8Array.of(2, 1, 2, 3)));
  });
});
