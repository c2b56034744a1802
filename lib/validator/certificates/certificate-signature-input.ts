import { certificateMessage } from '../bls/intent';
import { checkQuorumSigners } from '../bls/quorum-precheck';
import { canonicalCertificate } from './canonical-certificate';
import type { CertifiedTransaction } from './certificate-types';
import type { Committee } from './committee';

/**
 * Everything the pairing needs about one certificate, and nothing that took
 * curve arithmetic to get: a batch verifier (a worker pool) pairs
 * `message` with the aggregate of the public keys at `signerIndices` (the
 * committee's `members[i].publicKey`) against `signature`.
 */
export interface CertificateSignatureInput {
  /** The door's certificate: a frozen copy, its data decoded from its bytes. What to hand on once verified. */
  readonly certificate: CertifiedTransaction;
  readonly epoch: number;
  /** The transaction digest, 32 bytes. */
  readonly digest: Uint8Array;
  /** What every signer signed: the certificate intent, the epoch and the digest (`certificateMessage`). */
  readonly message: Uint8Array;
  /** The signer bitmap, as carried: exactly the committee's length, naming only its members. */
  readonly signers: Uint8Array;
  /** The members the bitmap names, ascending; they hold a quorum of stake. */
  readonly signerIndices: readonly number[];
  /** The aggregate signature, 96 bytes compressed, not yet parsed (parsing checks the subgroup: curve arithmetic). */
  readonly signature: Uint8Array;
}

/**
 * The door and every check of a certificate short of the curve arithmetic,
 * as a pure function of the certificate and the committee: its shape and
 * canonical bytes (`canonicalCertificate`), its epoch against the
 * committee's, its bitmap against the committee's size, and the signers'
 * stake against the quorum. What is left, and all that is left, is the
 * pairing: whether `signature` is a point of the group and verifies for
 * `message` under the signers' aggregate key. That part can run off the
 * main thread; a failure there is `invalid-signature`.
 * @throws InvalidCertificateError `malformed`, `digest-mismatch`, `non-canonical`, `wrong-epoch`,
 * `signer-outside-committee` or `insufficient-stake`.
 */
export function certificateSignatureInput(value: unknown, committee: Committee): CertificateSignatureInput {
  const certificate = canonicalCertificate(value);
  const { quorumSignature } = certificate;
  const signerIndices = Object.freeze(checkQuorumSigners(committee, quorumSignature, certificate.digest));
  const digest = digestBytes(certificate.digest);
  return Object.freeze({
    certificate,
    epoch: quorumSignature.epoch,
    digest,
    message: certificateMessage(quorumSignature.epoch, digest),
    signers: quorumSignature.signers,
    signerIndices,
    signature: quorumSignature.signature,
  });
}

/** The 32 bytes of a `0x`-hex digest (the door established it is one). */
export function digestBytes(digest: string): Uint8Array {
  return new Uint8Array(Buffer.from(digest.slice(2), 'hex'));
}
