import { blake2b } from '@noble/hashes/blake2';
import type { Digest } from './objects';

/**
 * What a digest is of. The scope is hashed first (as Sui's intent), so bytes
 * that encode one kind of thing can never collide with another kind's digest.
 */
export type DigestScope = 'TransactionData' | 'Object' | 'TransactionEffects';

const SCOPE_BYTE: Record<DigestScope, number> = { TransactionData: 0, TransactionEffects: 1, Object: 2 };

/** Blake2b-256 of `bytes`, as `0x`-hex. */
export function blake2b256Hex(bytes: Uint8Array): Digest {
  return `0x${Buffer.from(blake2b(bytes, { dkLen: 32 })).toString('hex')}`;
}

/** Blake2b-256 of the scope byte followed by `bytes`. */
export function scopedDigest(scope: DigestScope, bytes: Uint8Array): Digest {
  const scoped = new Uint8Array(bytes.length + 1);
  scoped[0] = SCOPE_BYTE[scope];
  scoped.set(bytes, 1);
  return blake2b256Hex(scoped);
}
