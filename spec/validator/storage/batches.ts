import { sealEffects } from '../../../lib/validator/model/effects';
import type { CommitBatch } from '../../../lib/validator/storage/object-store';
import type { StoredObject } from '../../../lib/validator/model/objects';

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;

/**
 * A commit batch of transaction `tx` (its digest, or a number a digest is made
 * of), writing and deleting what it is given, in `epoch` (default 0). Also
 * the no-op batches of bench/executed-markers.ts.
 */
export function batch(tx: number | string, written: StoredObject[], deleted: { id: string; version: number }[] = [], epoch = 0): CommitBatch {
  const transactionDigest = typeof tx === 'string' ? tx : id(tx);
  const effects = sealEffects({
    transactionDigest,
    epoch,
    status: { kind: 'success' },
    gasUsed: 0n,
    lamportVersion: 1,
    created: [],
    mutated: [],
    deleted: [],
    sharedObjects: [],
    dependencies: [],
  });
  return { transactionDigest, effects, events: [], written, deleted };
}
