import { InvalidCertificateError } from '../errors';
import { DIGEST_BYTES, SIGNATURE_BYTES } from './byte-lengths';
import type { BlsCommittee } from './bls-committee';
import type { AuthorityQuorumSignature } from './authority-quorum-signature';
import { decodeSigners } from './signer-bitmap';

/*
 * The checks of a quorum signature that need no curve arithmetic, and the
 * refusals of the two that do: the one implementation both paths run. The
 * single path (`quorumSignatureSet`) runs `checkBeforePairing` and then parses
 * and pairs on the calling thread; the verifier pool runs it on the main
 * thread and leaves every point operation to its workers. The verifier's
 * property spec holds both paths to the same verdicts.
 */


/**
 * The quorum's shape alone: a 96-byte signature and a signer bitmap.
 * @throws InvalidCertificateError `malformed`.
 */
export function checkQuorumShape(quorum: AuthorityQuorumSignature, digestHex?: string): void {
  // Typed, but called on what callers hand in: a quorum that is no object is malformed, not a TypeError.
  if (typeof quorum !== 'object' || (quorum as unknown) === null) throw new InvalidCertificateError('malformed', 'a quorum signature is an object', digestHex);
  const { signature, signers } = quorum;
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES || !(signers instanceof Uint8Array)) {
    throw new InvalidCertificateError('malformed', 'a quorum signature is 96 bytes and a signer bitmap', digestHex);
  }
}

/**
 * Everything `quorumSignatureSet` checks short of parsing the signature's
 * point: shape, epoch, bitmap and stake. Returns the signers' indices.
 * @throws InvalidCertificateError `malformed`, `wrong-epoch`, `signer-outside-committee` or `insufficient-stake`.
 */
export function checkQuorumSigners(committee: BlsCommittee, quorum: AuthorityQuorumSignature, digestHex?: string): number[] {
  checkQuorumShape(quorum, digestHex);
  const { epoch, signers } = quorum;
  if (epoch !== committee.epoch) {
    throw new InvalidCertificateError('wrong-epoch', `certified in epoch ${String(epoch)}, committee is of epoch ${committee.epoch}`, digestHex);
  }
  const indices = decodeSigners(signers, committee.size);
  if (indices === 'outside-committee') {
    throw new InvalidCertificateError('signer-outside-committee', `the signer bitmap names members past the committee's ${committee.size}`, digestHex);
  }
  if (indices === 'wrong-length') {
    throw new InvalidCertificateError('malformed', `the signer bitmap is ${signers.length} bytes, not ${Math.ceil(committee.size / 8)}`, digestHex);
  }
  const stake = indices === 'no-signer' ? 0 : committee.stakeOf(indices);
  if (indices === 'no-signer' || stake < committee.quorumThreshold) {
    throw new InvalidCertificateError('insufficient-stake', `signers hold ${stake} of the ${committee.quorumThreshold} needed`, digestHex);
  }
  return indices;
}

/**
 * The certified digest: 32 bytes. Both paths refuse another length, so that
 * a quorum over a truncated or padded digest is never accepted by one and
 * refused by the other.
 * @throws InvalidCertificateError `malformed`.
 */
export function checkCertifiedDigest(digest: Uint8Array, digestHex?: string): void {
  if (!(digest instanceof Uint8Array) || digest.length !== DIGEST_BYTES) {
    throw new InvalidCertificateError('malformed', `a certified digest is ${DIGEST_BYTES} bytes`, digestHex);
  }
}

/**
 * Everything checked before the pairing, in this order: the quorum's shape,
 * epoch, bitmap and stake (`checkQuorumSigners`), then the digest's length.
 * Returns the signers' indices.
 * @throws InvalidCertificateError `malformed`, `wrong-epoch`, `signer-outside-committee` or `insufficient-stake`.
 */
export function checkBeforePairing(committee: BlsCommittee, digest: Uint8Array, quorum: AuthorityQuorumSignature, digestHex?: string): number[] {
  const indices = checkQuorumSigners(committee, quorum, digestHex);
  checkCertifiedDigest(digest, digestHex);
  return indices;
}

/** The refusal of a signature that is not a point of the signature group (as `quorumSignatureSet`). */
export function signatureNotInGroup(digestHex?: string): InvalidCertificateError {
  return new InvalidCertificateError('invalid-signature', 'the aggregate signature is not a point of the signature group', digestHex);
}

/** The refusal of an aggregate that does not verify for its signers (as `verifyQuorumSignature`). */
export function signatureDoesNotVerify(digestHex?: string): InvalidCertificateError {
  return new InvalidCertificateError('invalid-signature', 'the aggregate signature does not verify for its signers', digestHex);
}
