import { InvalidOptionError } from '../../errors';
import type { BlsCommittee } from '../bls/bls-committee';

/**
 * The quorum signatures verified lately, as Sui's verified-digest cache: a
 * bounded set with least-recently-used eviction, so that a certificate seen
 * twice (once from a client, once in a consensus commit) is verified once.
 * Only verified signatures go in; a refusal is never cached. The key is
 * everything that was verified (see `quorumCacheKey`), never the transaction
 * digest alone: the same transaction under another signature is verified anew.
 */
export class VerifiedDigestCache {
  private readonly entries = new Set<string>();

  /**
   * @param capacity Entries kept; Sui keeps 100,000 (ten to twenty times its peak certificates per second).
   * @throws InvalidOptionError for a capacity that is not a positive integer.
   */
  constructor(readonly capacity = 100_000) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new InvalidOptionError('capacity', capacity, 'an integer >= 1');
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether `key` was verified; a hit makes it the most recently used. */
  has(key: string): boolean {
    if (!this.entries.delete(key)) return false;
    this.entries.add(key);
    return true;
  }

  /** Remember `key` as verified, forgetting the least recently used entry past the capacity. */
  add(key: string): void {
    this.entries.delete(key);
    this.entries.add(key);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.values().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }
}

const committeeIds = new WeakMap<BlsCommittee, number>();
let nextCommitteeId = 1;

/**
 * The cache key of one verified quorum: the committee it was verified
 * against (each committee object gets its own number), the digest, the
 * aggregate signature and the signer bitmap, byte for byte (a latin1 string
 * of the bytes: exact, and about as long as the bytes). Only for a quorum of
 * the committee's epoch, with a 32-byte digest and a 96-byte signature, so
 * that the parts cannot run into each other.
 */
export function quorumCacheKey(committee: BlsCommittee, digest: Uint8Array, signature: Uint8Array, signers: Uint8Array): string {
  let id = committeeIds.get(committee);
  if (id === undefined) {
    id = nextCommitteeId++;
    committeeIds.set(committee, id);
  }
  const bytes = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
  return `${id}:${bytes(digest)}${bytes(signature)}${bytes(signers)}`;
}
