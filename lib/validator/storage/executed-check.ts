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
