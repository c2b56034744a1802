import { Signature, type SignatureSet, aggregateSignatures, verify } from '@chainsafe/blst';
import type { AuthorityKey } from './authority-key';
import type { AuthorityQuorumSignature } from './authority-quorum-signature';
import type { BlsCommittee } from './bls-committee';
import { certificateMessage } from './intent';
import { checkBeforePairing, signatureDoesNotVerify, signatureNotInGroup } from './quorum-precheck';
import { encodeSigners } from './signer-bitmap';

export type { AuthorityQuorumSignature } from './authority-quorum-signature';

/** The committee members at `signers` certify `digest` (32 bytes): one aggregate signature. */
export function signQuorum(
  committee: BlsCommittee,
  digest: Uint8Array,
  signers: readonly { readonly index: number; readonly key: AuthorityKey }[],
): AuthorityQuorumSignature {
  const message = certificateMessage(committee.epoch, digest);
  const signature = aggregateSignatures(signers.map(({ key }) => key.secretKey.sign(message)), false).toBytes(true);
  return { epoch: committee.epoch, signature, signers: encodeSigners(signers.map((s) => s.index), committee.size) };
}

/**
 * Everything about `quorum` short of the pairing: its epoch, its bitmap, the
 * signers' stake, the digest's length (`checkBeforePairing`) and the
 * signature's encoding (parsed with blst's subgroup check). Returns the one
 * set the pairing must verify: the message, the signers' aggregate key and
 * the signature. Cheap (no pairing), so a batch verifier runs it per
 * certificate and pairs many sets at once.
 * @throws InvalidCertificateError `malformed`, `wrong-epoch`, `signer-outside-committee`, `insufficient-stake`,
 * or `invalid-signature` (not a point of the group).
 */
export function quorumSignatureSet(committee: BlsCommittee, digest: Uint8Array, quorum: AuthorityQuorumSignature, digestHex?: string): SignatureSet {
  const indices = checkBeforePairing(committee, digest, quorum, digestHex);
  let sig: Signature;
  try {
    sig = Signature.fromBytes(quorum.signature, true);
  } catch {
    throw signatureNotInGroup(digestHex);
  }
  return { msg: certificateMessage(quorum.epoch, digest), pk: committee.aggregateKey(indices), sig };
}

/**
 * One certificate's quorum, checked alone (the single path).
 * @throws InvalidCertificateError as `quorumSignatureSet`, or `invalid-signature`.
 */
export function verifyQuorumSignature(committee: BlsCommittee, digest: Uint8Array, quorum: AuthorityQuorumSignature, digestHex?: string): void {
  const set = quorumSignatureSet(committee, digest, quorum, digestHex);
  if (!verify(set.msg, set.pk, set.sig, false, false)) throw signatureDoesNotVerify(digestHex);
}
