import type { Certificate } from '../../certificate';
import type { Digest } from '../model/objects';
import type { TransactionData } from '../model/transactions';

/** One validator's signature over a transaction in an epoch (ed25519 today). */
export interface AuthoritySignature {
  readonly authority: string;
  readonly signature: Uint8Array;
}

/**
 * A transaction with a quorum of the epoch's committee signatures: what the
 * driver executes. The transaction is its canonical bytes: the digest is of
 * `transactionBytes`, and `data` is what they decode to. As the door
 * (`verifyCertificate`, the pipeline's `submit` and `commit`) returns it,
 * the certificate and its `data` are frozen and shared with no caller.
 */
export interface CertifiedTransaction extends Certificate {
  /** Digest of `transactionBytes`. */
  readonly digest: Digest;
  readonly epoch: number;
  /** The transaction's canonical BCS bytes: what was signed. */
  readonly transactionBytes: Uint8Array;
  /** What `transactionBytes` decode to: what executes. */
  readonly data: TransactionData;
  readonly signatures: readonly AuthoritySignature[];
}
