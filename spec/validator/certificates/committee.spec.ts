import { Committee, type Validator } from '../../../lib/validator/certificates/committee';
import { InvalidCommitteeError } from '../../../lib/validator/errors';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';

describe('Committee', () => {
  const [a, b] = generateCommittee(0, [1, 2]).committee.validators as [Validator, Validator];

  it('needs more than two thirds of the stake for a quorum', () => {
    expect(generateCommittee(3, [1, 1, 1, 1]).committee).toMatchObject({ epoch: 3, totalStake: 4, quorumThreshold: 3, size: 4 });
    expect(generateCommittee(0, [1, 2]).committee.quorumThreshold).toBe(3);
    expect(generateCommittee(0, Array.from({ length: 100 }, () => 1)).committee.quorumThreshold).toBe(67);
  });

  it.each([
    ['a negative epoch', () => new Committee(-1, [a]), /epoch must be a non-negative integer/],
    ['no validators', () => new Committee(0, []), /at least one validator/],
    ['a validator twice', () => new Committee(0, [a, a]), /appears twice/],
    ['a zero stake', () => new Committee(0, [{ ...b, stake: 0 }]), /stakes are positive integers/],
    ['a short public key', () => new Committee(0, [{ ...b, publicKey: b.publicKey.subarray(1) }]), /public key is 48 bytes/],
    ['an ed25519-sized public key', () => new Committee(0, [{ ...b, publicKey: new Uint8Array(32) }]), /public key is 48 bytes/],
    ['a short proof of possession', () => new Committee(0, [{ ...b, proofOfPossession: new Uint8Array(95) }]), /proof of possession is 96 bytes/],
    ['another key’s proof (a rogue key)', () => new Committee(0, [{ ...b, proofOfPossession: a.proofOfPossession }]), /proof of possession does not verify/],
    ['one key under two names', () => new Committee(0, [a, { ...a, name: 'twin' }]), /shares its public key/],
  ])('refuses %s with InvalidCommitteeError', (_, build, message) => {
    expect(build).toThrow(InvalidCommitteeError);
    expect(build).toThrow(message);
  });

  it('keeps copies of the keys: bytes the caller changes afterwards change neither the members nor what verifies', () => {
    const publicKey = new Uint8Array(a.publicKey);
    const committee = new Committee(0, [{ ...a, publicKey }]);
    publicKey.fill(0);
    expect(committee.validators[0]?.publicKey).toEqual(a.publicKey);
    expect(Object.isFrozen(committee.validators[0])).toBe(true);
  });
});

describe('generateCommittee', () => {
  it('derives the same keys from the same seed and epoch, and unrelated ones from another seed or epoch', () => {
    const keys = (epoch: number, seed?: number) => generateCommittee(epoch, [1, 1, 1], seed).committee.validators.map((v) => Buffer.from(v.publicKey).toString('hex'));
    expect(keys(0)).toEqual(keys(0, 0));
    expect(keys(0, 5)).toEqual(keys(0, 5));
    const all = [...keys(0), ...keys(0, 5), ...keys(1), ...keys(1, 5)];
    expect(new Set(all).size).toBe(all.length);
    const { committee, signers } = generateCommittee(0, [1, 1, 1], 5);
    expect(signers.map((s) => [s.name, s.index, Buffer.from(s.key.publicKey).toString('hex')])).toEqual(
      committee.validators.map((v, i) => [v.name, i, Buffer.from(v.publicKey).toString('hex')]),
    );
  });

  it('refuses a seed that is not an integer', () => {
    expect(() => generateCommittee(0, [1], 0.5)).toThrow(InvalidCommitteeError);
  });
});
