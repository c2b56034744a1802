import { PublicKey, SecretKey, Signature, verify } from '@chainsafe/blst';
import { possessionMessage } from './intent';

/** A committee member's BLS12-381 key (min-pk: 48-byte public keys, 96-byte signatures). */
export interface AuthorityKey {
  readonly secretKey: SecretKey;
  /** Compressed, 48 bytes. */
  readonly publicKey: Uint8Array;
  /** The member's signature over its own public key, 96 bytes compressed. */
  readonly proofOfPossession: Uint8Array;
}

/** A key derived from `seed` (at least 32 bytes), with its proof of possession. Deterministic: tests and workloads. */
export function deriveAuthorityKey(seed: Uint8Array): AuthorityKey {
  const secretKey = SecretKey.fromKeygen(seed);
  const publicKey = secretKey.toPublicKey().toBytes(true);
  const proofOfPossession = secretKey.sign(possessionMessage(publicKey)).toBytes(true);
  return { secretKey, publicKey, proofOfPossession };
}

/**
 * Whether `proofOfPossession` is `publicKey`'s signature over itself. Both are
 * parsed with blst's subgroup and infinity checks; anything unparsable is false.
 */
export function verifyProofOfPossession(publicKey: Uint8Array, proofOfPossession: Uint8Array): boolean {
  try {
    return verify(possessionMessage(publicKey), PublicKey.fromBytes(publicKey, true), Signature.fromBytes(proofOfPossession, true), true, true);
  } catch {
    return false;
  }
}
