import { verifyQuorumSignature } from '../bls/quorum-signature';
import { aggregateSecretKey } from '../bls/aggregate-secret-key';
import { certificateMessage } from '../bls/intent';
import { encodeSigners } from '../bls/signer-bitmap';
import type { AuthorityQuorumSignature } from '../bls/quorum-signature';
import { canonicalCertificate } from './canonical-certificate';
import type { CertifiedTransaction } from './certificate-types';
import { certificateSignatureInput, digestBytes } from './certificate-signature-input';
import type { Committee } from './committee';
import type { CommitteeSigner } from './generated-committee';
import { scopedDigest } from '../model/digests';
import { encodeTransactionData } from '../model/encoding';
import type { Digest } from '../model/objects';
import type { TransactionData } from '../model/transactions';
import { InvalidCertificateError } from '../errors';

export type { CertifiedTransaction } from './certificate-types';

/** The compressed point at infinity of the signature group: the aggregate of no signatures. */
const NO_SIGNATURE = Uint8Array.from({ length: 96 }, (_, i) => (i === 0 ? 0xc0 : 0));

/**
 * The digest of a transaction's canonical bytes.
 * @throws NonCanonicalTransactionError if `data` is not exactly a transaction.
 */
export function transactionDigest(data: TransactionData): Digest {
  return scopedDigest('TransactionData', encodeTransactionData(data));
}

/**
 * Certify `data` in `committee`'s epoch by the members `signers`: one
 * aggregate signature and their bitmap (tests, workloads; the simulator signs
 * once with the sum of their keys, the same bytes as aggregating each
 * member's signature). No signers give an unsigned certificate (an empty
 * bitmap and the empty aggregate), for pipelines that skip signature checks;
 * verifying it says `insufficient-stake`. The certificate carries the
 * canonical bytes and, as `data`, what they decode to (frozen).
 * @throws NonCanonicalTransactionError if `data` is not exactly a transaction: nothing non-canonical gets signed.
 * @throws RangeError if a signer's index is outside the committee.
 */
export function certifyTransaction(data: TransactionData, committee: Committee, signers: readonly CommitteeSigner[]): CertifiedTransaction {
  const transactionBytes = encodeTransactionData(data);
  const digest = scopedDigest('TransactionData', transactionBytes);
  return canonicalCertificate({ digest, epoch: committee.epoch, transactionBytes, quorumSignature: signQuorumOnce(committee, digestBytes(digest), signers) });
}

function signQuorumOnce(committee: Committee, digest: Uint8Array, signers: readonly CommitteeSigner[]): AuthorityQuorumSignature {
  const bitmap = encodeSigners(
    signers.map((s) => s.index),
    committee.size,
  );
  const signature = signers.length === 0 ? NO_SIGNATURE : aggregateSecretKey(signers.map((s) => s.key)).sign(certificateMessage(committee.epoch, digest)).toBytes(true);
  return { epoch: committee.epoch, signature, signers: bitmap };
}

/**
 * The door for certificates from outside. `value` must be a certificate of
 * `committee`'s epoch: `{ digest, epoch, transactionBytes, quorumSignature }`
 * and optionally `data`, or its wire bytes (`encodeCertificate`). Its
 * transaction bytes must be the canonical encoding of one transaction, its
 * digest theirs, any `data` exactly what they decode to, its signer bitmap
 * must name members of the committee holding a quorum of stake, and its
 * aggregate signature must verify for them (one pairing check).
 *
 * Returns a new, frozen certificate whose `data` is decoded from a copy of
 * the bytes: that, and nothing the caller holds, is what executes.
 * @throws InvalidCertificateError saying which check failed; nothing is changed.
 */
export function verifyCertificate(value: unknown, committee: Committee): CertifiedTransaction {
  const { certificate, digest } = certificateSignatureInput(value, committee);
  verifyQuorumSignature(committee, digest, certificate.quorumSignature, certificate.digest);
  return certificate;
}

/**
 * A certificate from its wire bytes (`encodeCertificate`), through the door
 * without a committee: framing, canonical transaction bytes, quorum shape.
 * Its signature is not checked (`verifyCertificate` takes the bytes too).
 * @throws InvalidCertificateError `malformed` or `non-canonical`.
 */
export function decodeCertificate(bytes: Uint8Array): CertifiedTransaction {
  if (!(bytes instanceof Uint8Array)) throw new InvalidCertificateError('malformed', 'wire bytes must be a Uint8Array');
  return canonicalCertificate(bytes);
}
