import { from, lastValueFrom, toArray } from 'rxjs';
import { BlsCommittee, QuorumVerifierPool, deriveAuthorityKey, signQuorum, verifyCertificates } from 'soma-execution-driver/validator';

it('README: a stream of quorum signatures verified on worker threads', async () => {
  const keys = [1, 2, 3, 4].map((i) => deriveAuthorityKey(new Uint8Array(32).fill(i)));
  const members = keys.map((key, i) => ({ name: `v${i}`, stake: 1, publicKey: key.publicKey, proofOfPossession: key.proofOfPossession }));
  const committee = new BlsCommittee(0, members); // checks every proof of possession
  // A certificate signed by the first `signers` members (3 of 4 are a quorum).
  const certify = (n: number, signers: number) => {
    const digest = new Uint8Array(32).fill(n);
    return { digest, quorum: signQuorum(committee, digest, keys.slice(0, signers).map((key, index) => ({ index, key }))) };
  };

  const pool = new QuorumVerifierPool(); // one worker per core: share it, close it
  const verdicts = await lastValueFrom(
    from([certify(1, 3), certify(2, 2), certify(1, 3)]).pipe(
      verifyCertificates({
        pool,
        signatureOf: (certificate) => certificate, // its digest and quorum signature
        committeeFor: (epoch) => (epoch === committee.epoch ? committee : undefined),
      }),
      toArray(),
    ),
  );
  await pool.close();

  expect(verdicts.map((v) => (v.kind === 'refused' ? v.error.problem : v.kind))).toEqual(['verified', 'insufficient-stake', 'verified']);
  expect(verdicts[2]).toMatchObject({ kind: 'verified', duplicate: true }); // verified once: the cache, or joined to the first in flight
});
