import fc from 'fast-check';
import { type AbortCode, EffectsBcs, type StateEffects, effectsBcsValue, encodeEffects, sealEffects } from '../../../lib/validator/model/effects';
import { encodeEffectsFast } from '../../../lib/validator/model/fast-effects-encoding';
import { scopedDigest } from '../../../lib/validator/model/digests';
import { hex32, objectRef } from '../arbitraries';

const abortCodes: AbortCode[] = ['insufficient-gas', 'insufficient-balance', 'wrong-owner', 'not-an-input', 'wrong-object-type', 'immutable-input', 'invalid-command', 'overflow'];
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });

const effects: fc.Arbitrary<Omit<StateEffects, 'digest'>> = fc.record({
  transactionDigest: hex32,
  epoch: fc.nat(),
  status: fc.oneof(
    fc.constant({ kind: 'success' } as const),
    fc.record({ error: fc.constantFrom(...abortCodes), command: fc.nat({ max: 2 ** 32 - 1 }) }).map((f) => ({ kind: 'failure', ...f }) as const),
  ),
  gasUsed: u64,
  lamportVersion: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  // Up to 200 entries, so vector lengths cross the one-byte ULEB128 boundary.
  created: fc.array(objectRef, { maxLength: 200 }),
  mutated: fc.array(objectRef, { maxLength: 5 }),
  deleted: fc.array(objectRef, { maxLength: 3 }),
  sharedObjects: fc.array(objectRef, { maxLength: 3 }),
  dependencies: fc.array(hex32, { maxLength: 140 }),
});

describe('encodeEffectsFast', () => {
  it('writes effects byte for byte as the BCS schema does', () => {
    fc.assert(
      fc.property(effects, (e) => {
        expect(encodeEffectsFast(e)).toEqual(EffectsBcs.serialize(effectsBcsValue(e), { initialSize: 4096 }).toBytes());
      }),
      { numRuns: 300 },
    );
  });

  it('is what sealEffects digests', () => {
    fc.assert(
      fc.property(effects, (e) => {
        expect(sealEffects(e).digest).toBe(scopedDigest('TransactionEffects', encodeEffects(e)));
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a digest that is not 0x and 64 hex digits', () => {
    const valid = fc.sample(effects, 1)[0] as Omit<StateEffects, 'digest'>;
    expect(() => encodeEffectsFast({ ...valid, transactionDigest: '0x12' })).toThrow(TypeError);
    expect(() => encodeEffectsFast({ ...valid, dependencies: [`0x${'zz'.repeat(32)}`] })).toThrow(/64 hex digits/);
  });
});
