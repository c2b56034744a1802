import type { Digest } from '../model/objects';
import type { ObjectStore } from './object-store';

/**
 * Whether the store committed the transaction: its `isExecuted` (which
 * retention does not prune within the epoch), or, for a store without one,
 * whether it keeps the transaction's executed record.
 */
export function isCommitted(store: ObjectStore, digest: Digest): Promise<boolean> {
  if (store.isExecuted) return store.isExecuted(digest);
  return store.readExecuted(digest).then((record) => record !== undefined);
}

/**
 * {@link isCommitted} for each digest, in order: one call of the store's
 * `areExecuted` where it has one (no promise per digest), else one question
 * per digest.
 */
export function areCommitted(store: ObjectStore, digests: readonly Digest[]): Promise<boolean[]> {
  if (digests.length === 0) return Promise.resolve([]);
  if (store.areExecuted) return store.areExecuted(digests);
  return Promise.all(digests.map((digest) => isCommitted(store, digest)));
}
