import { type AuthorityKey, BlsCommittee, deriveAuthorityKey } from '../../../lib/validator/bls';

/** `size` deterministic member keys and their committee (equal stakes unless given). */
export function blsCommittee(size: number, epoch = 0, stakes?: readonly number[]): { committee: BlsCommittee; keys: AuthorityKey[] } {
  const keys = Array.from({ length: size }, (_, i) => deriveAuthorityKey(new Uint8Array(32).fill(i + 1)));
  const committee = new BlsCommittee(
    epoch,
    keys.map((key, i) => ({ name: `v${i}`, stake: stakes?.[i] ?? 1, publicKey: key.publicKey, proofOfPossession: key.proofOfPossession })),
  );
  return { committee, keys };
}

/** A 32-byte digest from a small number. */
export function digestOf(n: number): Uint8Array {
  const digest = new Uint8Array(32);
  new DataView(digest.buffer).setUint32(0, n);
  return digest;
}
