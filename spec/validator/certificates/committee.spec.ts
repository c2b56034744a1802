import { Committee, type Validator } from '../../../lib/validator/certificates/committee';
import { InvalidCommitteeError } from '../../../lib/validator/errors';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';

describe('Committee', () => {
  const [a, b] = generateCommittee(0, [1, 2]).committee.validators as [Validator, Validator];

  it('needs more than two thirds of the stake for a quorum', () => {
    expect(generateCommittee(3, [1, 1, 1, 1]).committee).toMatchObject({ epoch: 3, totalStake: 4, quorumThreshold: 3 });
    expect(generateCommittee(0, [1, 2]).committee.quorumThreshold).toBe(3);
  });

  it.each([
    ['a negative epoch', () => new Committee(-1, [a]), /epoch must be a non-negative integer/],
    ['no validators', () => new Committee(0, []), /at least one validator/],
    ['a validator twice', () => new Committee(0, [a, a]), /appears twice/],
    ['a zero stake', () => new Committee(0, [{ ...b, stake: 0 }]), /stakes are positive integers/],
    ['a short public key', () => new Committee(0, [{ ...b, publicKey: new Uint8Array(31) }]), /32 bytes/],
  ])('refuses %s with InvalidCommitteeError', (_, build, message) => {
    expect(build).toThrow(InvalidCommitteeError);
    expect(build).toThrow(message);
  });
});
