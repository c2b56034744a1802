import path from 'node:path';
import { type AuthorityKey, type AuthorityQuorumSignature, type BlsCommittee, verifyQuorumSignature } from '../../../lib/validator/bls';
import { aggregateSecretKey, signQuorumWithAggregateKey } from '../../../lib/validator/bls/aggregate-secret-key';
import { InvalidCertificateError } from '../../../lib/validator/errors';
import { type WorkerScript, defaultWorkerScript } from '../../../lib/validator/verifier';
import { blsCommittee, digestOf } from '../bls/fixtures';

export { digestOf };

/** A committee of `size` equal stakes and a quorum signer for it (its first two thirds plus one, signing as one key). */
export function quorumFixture(size: number, epoch = 0): { committee: BlsCommittee; keys: AuthorityKey[]; sign: (digest: Uint8Array) => AuthorityQuorumSignature } {
  const { committee, keys } = blsCommittee(size, epoch);
  const indices = Array.from({ length: committee.quorumThreshold }, (_, i) => i);
  const key = aggregateSecretKey(indices.map((i) => keys[i] as AuthorityKey));
  return { committee, keys, sign: (digest) => signQuorumWithAggregateKey(committee, digest, indices, key) };
}

/** The single path's verdict: `accepted` or the refusal's problem. */
export function singleVerdict(committee: BlsCommittee, digest: Uint8Array, quorum: AuthorityQuorumSignature): string {
  try {
    verifyQuorumSignature(committee, digest, quorum);
    return 'accepted';
  } catch (error) {
    if (error instanceof InvalidCertificateError) return error.problem;
    throw error;
  }
}

/** The real worker, behind a wrapper that ends the thread on its first `crashes` batches (counted across workers). */
export function crashingWorker(crashes: number): { script: WorkerScript; left: () => number } {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  counter[0] = crashes;
  const real = defaultWorkerScript(path.join(__dirname, '../../../lib/validator/verifier'));
  return {
    script: { ...real, filename: path.join(__dirname, 'workers/crash-on-verify.ts'), workerData: { counter } },
    left: () => Math.max(0, Atomics.load(counter, 0)),
  };
}

/** The real worker, behind a wrapper that ends the thread on any batch holding a digest that starts with 0xdeadbeef. */
export function poisonedWorker(): WorkerScript {
  return { ...defaultWorkerScript(path.join(__dirname, '../../../lib/validator/verifier')), filename: path.join(__dirname, 'workers/die-on-poison.ts') };
}

/** A digest the poisoned worker dies on. */
export function poisonDigest(n: number): Uint8Array {
  const digest = digestOf(n);
  digest.set([0xde, 0xad, 0xbe, 0xef], 28);
  return digest;
}
