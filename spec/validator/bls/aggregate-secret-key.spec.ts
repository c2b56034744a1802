import fc from 'fast-check';
import { signQuorum } from '../../../lib/validator/bls';
import { aggregateSecretKey, signQuorumWithAggregateKey } from '../../../lib/validator/bls/aggregate-secret-key';
import { blsCommittee, digestOf } from './fixtures';

const { committee, keys } = blsCommittee(10, 3);

describe('aggregateSecretKey', () => {
  it('signs a quorum once into the very bytes signQuorum aggregates from one signature per signer', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(9), { minLength: 1 }), fc.nat(), (indices, n) => {
        const signers = indices.map((index) => ({ index, key: keys[index] as (typeof keys)[number] }));
        const one = signQuorumWithAggregateKey(committee, digestOf(n), indices, aggregateSecretKey(signers.map((s) => s.key)));
        expect(one).toEqual(signQuorum(committee, digestOf(n), signers));
      }),
      { numRuns: 15 },
    );
  });
});
