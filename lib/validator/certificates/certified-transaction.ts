import type { KeyObject } from 'node:crypto';
import { canonicalCertificate } from './canonical-certificate';
import type { CertifiedTransaction } from './certificate-types';
import type { Committee } from './committee';
import { scopedDigest } from '../model/digests';
import { encodeTransactionData } from '../model/encoding';
import { InvalidCertificateError } from '../errors';
import type { Digest } from '../model/objects';
import { signTransaction, verifyQuorum } from './quorum-signatures';
import type { TransactionData } from '../model/transactions';

export type { AuthoritySignature, CertifiedTransaction } from './certificate-types';

/**
 * The digest of a transaction's canonical bytes.
 * @throws NonCanonicalTransactionError if `data` is not exactly a transaction.
 */
export function transactionDigest(data: TransactionData): Digest {
  return scopedDigest('TransactionData', encodeTransactionData(data));
}

/**
 * Sign `data` for `epoch` with each signer's private key: how a committee
 * certifies (tests, workloads). No signers give an unsigned certificate, for
 * pipelines that skip signature checks. The certificate carries the
 * canonical bytes and, as `data`, what they decode to (frozen).
 * @throws NonCanonicalTransactionError if `data` is not exactly a transaction: nothing non-canonical gets signed.
 */
export function certifyTransaction(
  data: TransactionData,
  epoch: number,
  signers: readonly { readonly name: string; readonly privateKey: KeyObject }[],
): CertifiedTransaction {
  const transactionBytes = encodeTransactionData(data);
  const digest = scopedDigest('TransactionData', transactionBytes);
  return canonicalCertificate({ digest, epoch, transactionBytes, signatures: signTransaction(digest, epoch, signers) });
}

/**
 * The door for certificates from outside. `value` must be a certificate of
 * `committee`'s epoch: `{ digest, epoch, transactionBytes, signatures }`,
 * and optionally `data`. Its transaction bytes must be the canonical
 * encoding of one transaction, its digest theirs, any `data` exactly what
 * they decode to, and its valid signatures must carry a quorum of stake.
 *
 * Returns a new, frozen certificate whose `data` is decoded from a copy of
 * the bytes: that, and nothing the caller holds, is what executes.
 * @throws InvalidCertificateError saying which check failed; nothing is changed.
 */
export function verifyCertificate(value: unknown, committee: Committee): CertifiedTransaction {
  const certificate = canonicalCertificate(value);
  if (certificate.epoch !== committee.epoch) {
    throw new InvalidCertificateError('wrong-epoch', `certified in epoch ${certificate.epoch}, committee is of epoch ${committee.epoch}`, certificate.digest);
  }
  verifyQuorum(certificate, committee);
  return certificate;
}
