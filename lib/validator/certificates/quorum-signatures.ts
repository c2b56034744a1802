import { type KeyObject, sign, verify } from 'node:crypto';
import { bcs } from '@mysten/bcs';
import type { AuthoritySignature, CertifiedTransaction } from './certificate-types';
import type { Committee } from './committee';
import { Bytes32 } from '../model/encoding';
import { InvalidCertificateError } from '../errors';
import type { Digest } from '../model/objects';

/**
 * The signature scheme: ed25519 signatures, each checked with node:crypto,
 * over the epoch and the transaction digest. BLS aggregates replace this
 * module; the digest they sign is established by `canonicalCertificate`.
 */

/** What a validator signs: the epoch and the transaction digest, canonically encoded. */
const SignedMessage = bcs.struct('CertifiedTransactionMessage', { epoch: bcs.u64(), transaction: Bytes32 });

function signedMessage(epoch: number, digest: Digest): Uint8Array {
  return SignedMessage.serialize({ epoch: BigInt(epoch), transaction: digest }).toBytes();
}

/** Each signer's signature over `digest` in `epoch`. */
export function signTransaction(
  digest: Digest,
  epoch: number,
  signers: readonly { readonly name: string; readonly privateKey: KeyObject }[],
): AuthoritySignature[] {
  const message = signedMessage(epoch, digest);
  return signers.map(({ name, privateKey }) => Object.freeze({ authority: name, signature: new Uint8Array(sign(null, message, privateKey)) }));
}

/**
 * Check that the certificate's valid signatures, over its digest in the
 * committee's epoch, carry a quorum of stake.
 * @throws InvalidCertificateError `malformed`, `unknown-signer`, `duplicate-signer`, `invalid-signature` or `insufficient-stake`.
 */
export function verifyQuorum(certificate: CertifiedTransaction, committee: Committee): void {
  const { digest } = certificate;
  const message = signedMessage(committee.epoch, digest);
  const seen = new Set<string>();
  let stake = 0;
  for (const entry of certificate.signatures as readonly unknown[]) {
    if (typeof entry !== 'object' || entry === null) throw new InvalidCertificateError('malformed', 'each signature must be an object', digest);
    const { authority, signature } = entry as Partial<AuthoritySignature>;
    if (typeof authority !== 'string' || !(signature instanceof Uint8Array) || fieldCount(entry) !== 2) {
      throw new InvalidCertificateError('malformed', 'each signature is an authority name and signature bytes, and nothing else', digest);
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
}

function fieldCount(value: object): number {
  let count = 0;
  for (const key in value) if (Object.hasOwn(value, key)) count++;
  return count;
}
