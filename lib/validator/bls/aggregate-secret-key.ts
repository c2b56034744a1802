import { SecretKey } from '@chainsafe/blst';
import type { AuthorityKey } from './authority-key';
import type { BlsCommittee } from './bls-committee';
import { certificateMessage } from './intent';
import type { AuthorityQuorumSignature } from './quorum-signature';
import { encodeSigners } from './signer-bitmap';

/** The order r of BLS12-381's groups: secret keys are scalars modulo r. */
const GROUP_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

/**
 * The sum of `keys`' secret keys modulo the group order. Signing is linear,
 * so its signature on a message is exactly the aggregate of theirs: a
 * workload or a benchmark that holds every key signs a quorum once instead
 * of once per signer (about 1 ms each). A validator never holds another's key.
 */
export function aggregateSecretKey(keys: readonly AuthorityKey[]): SecretKey {
  let sum = 0n;
  for (const key of keys) sum = (sum + BigInt(`0x${Buffer.from(key.secretKey.toBytes()).toString('hex')}`)) % GROUP_ORDER;
  return SecretKey.fromBytes(Buffer.from(sum.toString(16).padStart(64, '0'), 'hex'));
}

/** What `signQuorum` returns for the members at `indices`, signed once with their `aggregateSecretKey`. */
export function signQuorumWithAggregateKey(committee: BlsCommittee, digest: Uint8Array, indices: readonly number[], aggregateKey: SecretKey): AuthorityQuorumSignature {
  const signature = aggregateKey.sign(certificateMessage(committee.epoch, digest)).toBytes(true);
  return { epoch: committee.epoch, signature, signers: encodeSigners(indices, committee.size) };
}
