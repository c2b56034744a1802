import { sealEffects } from '../../../lib/validator/model/effects';
import type { CommitBatch } from '../../../lib/validator/storage/object-store';
import type { StoredObject } from '../../../lib/validator/model/objects';

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;

/** A commit batch of transaction `tx` (a digest made of the number), writing and deleting what it is given, in `epoch` (default 0). */
export function batch(tx: number, written: StoredObject[], deleted: { id: string; version: number }[] = [], epoch = 0): CommitBatch {
  const effects = sealEffects({
    transactionDigest: id(tx),
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
  return { transactionDigest: id(tx), effects, events: [], written, deleted };
}
