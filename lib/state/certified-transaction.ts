import { type KeyObject, sign, verify } from 'node:crypto';
import { bcs } from '@mysten/bcs';
import type { Certificate } from '../certificate';
import type { Committee } from './committee';
import { scopedDigest } from './digests';
import { Bytes32, encodeTransactionData } from './encoding';
import { InvalidCertificateError } from './errors';
import type { Digest } from './objects';
import type { TransactionData } from './transactions';

/** One validator's ed25519 signature over a transaction in an epoch. */
export interface AuthoritySignature {
  readonly authority: string;
  readonly signature: Uint8Array;
}

/** A transaction with a quorum of the epoch's committee signatures: what the driver executes. */
export interface CertifiedTransaction extends Certificate {
  /** Digest of `data`. */
  readonly digest: Digest;
  readonly epoch: number;
  readonly data: TransactionData;
  readonly signatures: readonly AuthoritySignature[];
}

/** The digest of a transaction's canonical bytes. */
export function transactionDigest(data: TransactionData): Digest {
  return scopedDigest('TransactionData', encodeTransactionData(data));
}

/** What a validator signs: the epoch and the transaction digest, canonically encoded. */
const SignedMessage = bcs.struct('CertifiedTransactionMessage', { epoch: bcs.u64(), transaction: Bytes32 });

function signedMessage(epoch: number, digest: Digest): Uint8Array {
  return SignedMessage.serialize({ epoch: BigInt(epoch), transaction: digest }).toBytes();
}

/** Sign `data` for `epoch` with each signer's private key: how a committee certifies (tests, workloads). */
export function certifyTransaction(
  data: TransactionData,
  epoch: number,
  signers: readonly { readonly name: string; readonly privateKey: KeyObject }[],
): CertifiedTransaction {
  const digest = transactionDigest(data);
  const message = signedMessage(epoch, digest);
  return {
    digest,
    epoch,
    data,
    signatures: signers.map(({ name, privateKey }) => ({ authority: name, signature: new Uint8Array(sign(null, message, privateKey)) })),
  };
}

/**
 * Check that `value` is a certificate of `committee`'s epoch whose digest
 * matches its data and whose valid signatures carry a quorum of stake.
 * @throws InvalidCertificateError saying which check failed.
 */
export function verifyCertificate(value: unknown, committee: Committee): CertifiedTransaction {
  const certificate = value as Partial<CertifiedTransaction> | null;
  if (typeof certificate !== 'object' || certificate === null) throw new InvalidCertificateError('malformed', 'not an object');
  const { digest, epoch, data, signatures } = certificate;
  if (typeof digest !== 'string') throw new InvalidCertificateError('malformed', 'digest must be a string');
  if (!Array.isArray(signatures)) throw new InvalidCertificateError('malformed', 'signatures must be an array', digest);
  let actualDigest: Digest;
  try {
    actualDigest = transactionDigest(data as TransactionData);
  } catch (error) {
    throw new InvalidCertificateError('malformed', `transaction data does not encode: ${(error as Error).message}`, digest);
  }
  if (actualDigest !== digest) throw new InvalidCertificateError('digest-mismatch', `data digests to ${actualDigest}`, digest);
  if (epoch !== committee.epoch) {
    throw new InvalidCertificateError('wrong-epoch', `certified in epoch ${String(epoch)}, committee is of epoch ${committee.epoch}`, digest);
  }
  const message = signedMessage(committee.epoch, digest);
  const seen = new Set<string>();
  let stake = 0;
  for (const entry of signatures as unknown[]) {
    const { authority, signature } = (entry ?? {}) as Partial<AuthoritySignature>;
    if (typeof authority !== 'string' || !(signature instanceof Uint8Array)) {
      throw new InvalidCertificateError('malformed', 'each signature needs an authority name and signature bytes', digest);
    }
    const member = committee.member(authority);
    if (!member) throw new InvalidCertificateError('unknown-signer', `${authority} is not in the epoch ${committee.epoch} committee`, digest);
    if (seen.has(authority)) throw new InvalidCertificateError('duplicate-signer', `${authority} signed twice`, digest);
    seen.add(authority);
    if (signature.length !== 64 || !verify(null, message, member.key, signature)) {
      throw new InvalidCertificateError('invalid-signature', `the signature of ${authority} does not verify`, digest);
    }
    stake += member.validator.stake;
  }
  if (stake < committee.quorumThreshold) {
    throw new InvalidCertificateError(
      'insufficient-stake',
      `signatures carry stake ${stake} of ${committee.totalStake}; a quorum needs ${committee.quorumThreshold}`,
      digest,
    );
  }
  return certificate as CertifiedTransaction;
}
