import { PublicKey, aggregatePublicKeys } from '@chainsafe/blst';
import fc from 'fast-check';
import { SignerKeyTable } from '../../../lib/validator/bls/signer-key-table';
import { signQuorum, verifyQuorumSignature } from '../../../lib/validator/bls';
import { blsCommittee, digestOf } from './fixtures';

const hex = (key: PublicKey) => Buffer.from(key.toBytes(true)).toString('hex');

describe('SignerKeyTable', () => {
  // Keys shared by every case: deriving them is the slow part.
  const { keys: members } = blsCommittee(21);
  const publicKeys = members.map((key) => PublicKey.fromBytes(key.publicKey, true));

  it('gives the same point as aggregating the members one by one, for any set, asked again or not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 21 }), fc.array(fc.array(fc.nat(), { minLength: 1, maxLength: 21 }), { minLength: 1, maxLength: 6 }), (size, sets) => {
        const keys = publicKeys.slice(0, size);
        const table = new SignerKeyTable(keys);
        // Each set asked twice, so later asks read remembered sums.
        for (const drawn of [...sets, ...sets]) {
          const indices = [...new Set(drawn.map((n) => n % size))];
          const expected = aggregatePublicKeys(indices.map((i) => keys[i] as PublicKey), false);
          expect(hex(table.aggregate(indices))).toBe(hex(expected));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('stays right past the whole sets it remembers (more than 1,024 different sets, then the first ones again)', () => {
    const table = new SignerKeyTable(publicKeys);
    const sets = Array.from({ length: 1_100 }, (_, n) => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((bit) => (n + 1) & (1 << bit)).map((bit) => bit * 2));
    const first = sets.slice(0, 10).map((indices) => hex(table.aggregate(indices)));
    for (const indices of sets) table.aggregate(indices);
    sets.slice(0, 10).forEach((indices, i) => {
      expect(hex(table.aggregate(indices))).toBe(first[i]);
      expect(first[i]).toBe(hex(aggregatePublicKeys(indices.map((k) => publicKeys[k] as PublicKey), false)));
    });
  });

  it('counts a member named twice once, and ignores the order', () => {
    const table = new SignerKeyTable(publicKeys);
    const once = aggregatePublicKeys([publicKeys[3], publicKeys[9], publicKeys[17]] as PublicKey[], false);
    expect(hex(table.aggregate([17, 3, 9, 3]))).toBe(hex(once));
  });

  it('refuses a member outside the committee and an empty set', () => {
    const table = new SignerKeyTable(publicKeys.slice(0, 4));
    expect(() => table.aggregate([4])).toThrow(RangeError);
    expect(() => table.aggregate([-1])).toThrow(RangeError);
    expect(() => table.aggregate([])).toThrow(RangeError);
  });

  it("is the committee's aggregate key: a quorum verifies, and the same bitmap with one signer swapped does not", () => {
    const { committee, keys } = blsCommittee(20);
    const signers = [0, 2, 3, 5, 7, 8, 9, 11, 12, 14, 15, 17, 19, 1].map((index) => ({ index, key: keys[index] as (typeof keys)[number] }));
    for (let n = 0; n < 3; n++) {
      const digest = digestOf(n);
      const quorum = signQuorum(committee, digest, signers);
      expect(() => verifyQuorumSignature(committee, digest, quorum)).not.toThrow();
      // Member 1 (byte 0) replaced by member 4 (byte 0): same stake, a different remembered sum.
      const swapped = signQuorum(committee, digest, signers.slice(0, -1).concat({ index: 4, key: keys[4] as (typeof keys)[number] }));
      expect(() => verifyQuorumSignature(committee, digest, { ...quorum, signers: swapped.signers })).toThrow(/signature/);
    }
  });
});
