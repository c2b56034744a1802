import type { Certificate } from '../../certificate';
import type { AuthorityQuorumSignature } from '../bls/quorum-signature';
import type { Digest } from '../model/objects';
import type { TransactionData } from '../model/transactions';

/**
 * A transaction with a quorum of the epoch's committee behind it: what the
 * driver executes. The transaction is its canonical bytes: the digest is of
 * `transactionBytes`, and `data` is what they decode to. The quorum is one
 * BLS12-381 aggregate signature and a bitmap of who signed, as Sui's
 * `AuthorityStrongQuorumSignInfo`. As the door (`verifyCertificate`, the
 * pipeline's `submit` and `commit`) returns it, the certificate, its `data`
 * and its quorum signature are frozen and shared with no caller.
 */
export interface CertifiedTransaction extends Certificate {
  /** Digest of `transactionBytes`. */
  readonly digest: Digest;
  /** The epoch it was certified in: the quorum signature's. */
  readonly epoch: number;
  /** The transaction's canonical BCS bytes: what was signed (through its digest). */
  readonly transactionBytes: Uint8Array;
  /** What `transactionBytes` decode to: what executes. */
  readonly data: TransactionData;
  /** The committee's aggregate signature over the epoch and the digest, and the signer bitmap. */
  readonly quorumSignature: AuthorityQuorumSignature;
}
