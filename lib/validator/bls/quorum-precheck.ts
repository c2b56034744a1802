import { InvalidCertificateError } from '../errors';
import type { BlsCommittee } from './bls-committee';
import type { AuthorityQuorumSignature } from './quorum-signature';
import { decodeSigners } from './signer-bitmap';

/*
 * The checks of `quorumSignatureSet` that need no curve arithmetic, in the
 * same order and with the same refusals, so that a batch verifier can run
 * them on the main thread and leave every point operation to its workers.
 * The property spec of the verifier holds both paths to the same verdicts.
 */

const SIGNATURE_BYTES = 96;

/**
 * The quorum's shape alone: a 96-byte signature and a signer bitmap.
 * @throws InvalidCertificateError `malformed`.
 */
export function checkQuorumShape(quorum: AuthorityQuorumSignature, digestHex?: string): void {
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

/** The refusal of a signature that is not a point of the signature group (as `quorumSignatureSet`). */
export function signatureNotInGroup(digestHex?: string): InvalidCertificateError {
  return new InvalidCertificateError('invalid-signature', 'the aggregate signature is not a point of the signature group', digestHex);
}

/** The refusal of an aggregate that does not verify for its signers (as `verifyQuorumSignature`). */
export function signatureDoesNotVerify(digestHex?: string): InvalidCertificateError {
  return new InvalidCertificateError('invalid-signature', 'the aggregate signature does not verify for its signers', digestHex);
}
