import { SecretKey } from '@chainsafe/blst';
import fc from 'fast-check';
import { InvalidCertificateError, InvalidCommitteeError } from '../../../lib/validator/errors';
import {
  BlsCommittee,
  type AuthorityQuorumSignature,
  decodeSigners,
  deriveAuthorityKey,
  encodeSigners,
  quorumSignatureSet,
  signQuorum,
  verifyQuorumSignature,
  verifySignatureSets,
} from '../../../lib/validator/bls';
import { checkQuorumSigners } from '../../../lib/validator/bls/quorum-precheck';
import { possessionMessage } from '../../../lib/validator/bls/intent';

/** The order r of BLS12-381's groups. */
const GROUP_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;
import { blsCommittee, digestOf } from './fixtures';

const { committee, keys } = blsCommittee(10);
const quorumOf = (indices: readonly number[], digest = digestOf(1), c = committee) =>
  signQuorum(c, digest, indices.map((index) => ({ index, key: keys[index] as (typeof keys)[number] })));
const problemOf = (check: () => void): string => {
  try {
    check();
  } catch (error) {
    if (error instanceof InvalidCertificateError) return error.problem;
    throw error;
  }
  return 'accepted';
};

describe('BLS committee', () => {
  it('checks every proof of possession when it is built: a rogue key without one is refused', () => {
    const honest = deriveAuthorityKey(new Uint8Array(32).fill(7));
    const other = deriveAuthorityKey(new Uint8Array(32).fill(8));
    expect(() => new BlsCommittee(0, [{ name: 'a', stake: 1, publicKey: honest.publicKey, proofOfPossession: other.proofOfPossession }])).toThrow(
      InvalidCommitteeError,
    );
    expect(() => new BlsCommittee(0, [{ name: 'a', stake: 1, publicKey: honest.publicKey, proofOfPossession: new Uint8Array(96) }])).toThrow(
      /proof of possession/,
    );
    expect(
      () =>
        new BlsCommittee(0, [
          { name: 'a', stake: 1, publicKey: honest.publicKey, proofOfPossession: honest.proofOfPossession },
          { name: 'b', stake: 1, publicKey: honest.publicKey, proofOfPossession: honest.proofOfPossession },
        ]),
    ).toThrow(/shares its public key/);
    expect(committee.quorumThreshold).toBe(7);
  });

  it('keeps copies of its members: changing the objects it was built from changes no stake, key or verdict', () => {
    const members = keys.slice(0, 4).map((key, i) => ({ name: `m${i}`, stake: 1, publicKey: new Uint8Array(key.publicKey), proofOfPossession: key.proofOfPossession }));
    const four = new BlsCommittee(0, members);
    const [first, second] = members as [(typeof members)[number], (typeof members)[number]];
    const oneSigner = signQuorum(four, digestOf(9), [{ index: 0, key: keys[0] as (typeof keys)[number] }]);
    first.stake = 1_000;
    second.publicKey.set((keys[5] as (typeof keys)[number]).publicKey);
    expect(four.stakeOf([0])).toBe(1);
    expect(Buffer.from(four.members[1]?.publicKey ?? []).equals(Buffer.from((keys[1] as (typeof keys)[number]).publicKey))).toBe(true);
    expect(problemOf(() => verifyQuorumSignature(four, digestOf(9), oneSigner))).toBe('insufficient-stake');
    expect(Object.isFrozen(four.members[0])).toBe(true);
  });

  it("refuses a member whose key is minus another member's (their sum is zero: an aggregate could name both unsigned)", () => {
    const honest = keys[0] as (typeof keys)[number];
    const scalar = BigInt(`0x${Buffer.from(honest.secretKey.toBytes()).toString('hex')}`);
    const minus = SecretKey.fromBytes(Buffer.from((GROUP_ORDER - scalar).toString(16).padStart(64, '0'), 'hex'));
    const publicKey = minus.toPublicKey().toBytes(true);
    const proofOfPossession = minus.sign(possessionMessage(publicKey)).toBytes(true);
    // A valid member on its own: only the pair is refused.
    expect(() => new BlsCommittee(0, [{ name: 'minus', stake: 1, publicKey, proofOfPossession }])).not.toThrow();
    expect(
      () =>
        new BlsCommittee(0, [
          { name: 'honest', stake: 1, publicKey: honest.publicKey, proofOfPossession: honest.proofOfPossession },
          { name: 'minus', stake: 1, publicKey, proofOfPossession },
        ]),
    ).toThrow(/minus's public key is the negation of honest's/);
  });

  it('refuses members that are not an array of member objects with byte keys', () => {
    expect(() => new BlsCommittee(0, 'v0' as never)).toThrow(InvalidCommitteeError);
    expect(() => new BlsCommittee(0, [null] as never)).toThrow(/member 0 is not an object/);
    expect(() => new BlsCommittee(0, [{ name: 'a', stake: 1, publicKey: [1, 2], proofOfPossession: new Uint8Array(96) }] as never)).toThrow(/byte arrays/);
  });
});

describe('signer bitmap', () => {
  it('round-trips any set of members, and one set has one encoding', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }).chain((size) => fc.tuple(fc.constant(size), fc.uniqueArray(fc.nat(size - 1), { minLength: 1 }))), ([size, indices]) => {
        const bitmap = encodeSigners(indices, size);
        expect(bitmap.length).toBe(Math.ceil(size / 8));
        expect(decodeSigners(bitmap, size)).toEqual([...indices].sort((a, b) => a - b));
      }),
    );
  });

  it('refuses bits past the committee, a wrong length, and no signer at all', () => {
    expect(decodeSigners(Uint8Array.of(0b0000_0100), 2)).toBe('outside-committee');
    expect(decodeSigners(Uint8Array.of(1, 0), 8)).toBe('wrong-length');
    expect(decodeSigners(Uint8Array.of(0), 8)).toBe('no-signer');
  });
});

describe('quorum signatures', () => {
  it('a quorum of the committee certifies; each refusal has its own problem', () => {
    const quorum = quorumOf([0, 1, 2, 3, 4, 5, 6]);
    expect(problemOf(() => verifyQuorumSignature(committee, digestOf(1), quorum))).toBe('accepted');
    expect(problemOf(() => verifyQuorumSignature(committee, digestOf(2), quorum))).toBe('invalid-signature');
    expect(problemOf(() => verifyQuorumSignature(committee, digestOf(1), quorumOf([0, 1, 2, 3, 4, 5])))).toBe('insufficient-stake');
    expect(problemOf(() => verifyQuorumSignature(committee, digestOf(1), { ...quorum, epoch: 1 }))).toBe('wrong-epoch');
    const past = Uint8Array.from(quorum.signers);
    past[1] = (past[1] ?? 0) | 0b1000_0000; // member 15 of a committee of 10
    expect(problemOf(() => verifyQuorumSignature(committee, digestOf(1), { ...quorum, signers: past }))).toBe('signer-outside-committee');
    expect(problemOf(() => verifyQuorumSignature(committee, digestOf(1), { ...quorum, signature: quorum.signature.slice(1) }))).toBe('malformed');
    // Claiming a signer who did not sign: the aggregate no longer matches the aggregate key.
    expect(problemOf(() => verifyQuorumSignature(committee, digestOf(1), { ...quorum, signers: encodeSigners([0, 1, 2, 3, 4, 5, 6, 7], 10) }))).toBe(
      'invalid-signature',
    );
  });

  it('the batch path and the single path accept exactly the same certificates, forged and bit-flipped ones mixed in', () => {
    type Variant = 'genuine' | 'other-digest' | 'flipped-signature-bit' | 'extra-signer' | 'under-signed';
    fc.assert(
      fc.property(fc.array(fc.constantFrom<Variant>('genuine', 'genuine', 'other-digest', 'flipped-signature-bit', 'extra-signer', 'under-signed'), { minLength: 1, maxLength: 12 }), fc.nat(95 * 8), (variants, bit) => {
        const cases = variants.map((variant, i): { digest: Uint8Array; quorum: AuthorityQuorumSignature } => {
          const digest = digestOf(100 + i);
          const genuine = quorumOf([0, 1, 2, 3, 4, 5, 6], digest);
          switch (variant) {
            case 'genuine':
              return { digest, quorum: genuine };
            case 'other-digest':
              return { digest, quorum: quorumOf([0, 1, 2, 3, 4, 5, 6], digestOf(9_999)) };
            case 'flipped-signature-bit': {
              const signature = Uint8Array.from(genuine.signature);
              signature[bit >> 3] = (signature[bit >> 3] ?? 0) ^ (1 << (bit & 7));
              return { digest, quorum: { ...genuine, signature } };
            }
            case 'extra-signer':
              return { digest, quorum: { ...genuine, signers: encodeSigners([0, 1, 2, 3, 4, 5, 6, 9], 10) } };
            case 'under-signed':
              return { digest, quorum: quorumOf([0, 1, 2], digest) };
          }
        });
        const single = cases.map(({ digest, quorum }) => problemOf(() => verifyQuorumSignature(committee, digest, quorum)) === 'accepted');
        // The batch path: the cheap checks per certificate, then one batch for the sets that pass them.
        const sets = cases.map(({ digest, quorum }) => {
          try {
            return quorumSignatureSet(committee, digest, quorum);
          } catch {
            return undefined;
          }
        });
        const passed = sets.flatMap((set, i) => (set ? [{ set, i }] : []));
        const verdicts = verifySignatureSets(passed.map((p) => p.set));
        const batch = cases.map(() => false);
        passed.forEach(({ i }, k) => (batch[i] = verdicts[k] ?? false));
        expect(batch).toEqual(single);
        expect(single.filter(Boolean).length).toBe(variants.filter((v) => v === 'genuine').length);
      }),
      { numRuns: 40 },
    );
  });
});

describe('checkQuorumSigners: the checks short of the pairing', () => {
  it('names the signers of a quorum, and refuses as quorumSignatureSet does', () => {
    const quorum = quorumOf([6, 0, 3, 1, 2, 4, 5]);
    expect(checkQuorumSigners(committee, quorum)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const bad of [{ ...quorum, epoch: 3 }, quorumOf([0, 1]), { ...quorum, signers: Uint8Array.of(0xff, 0xff) }, { ...quorum, signature: new Uint8Array(95) }]) {
      expect(problemOf(() => checkQuorumSigners(committee, bad))).toBe(problemOf(() => quorumSignatureSet(committee, digestOf(1), bad)));
      expect(problemOf(() => checkQuorumSigners(committee, bad))).not.toBe('accepted');
    }
  });
});
