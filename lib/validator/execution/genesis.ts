import { objectDigest } from '../model/fast-object-encoding';
import { sealEffects } from '../model/effects';
import type { CommitBatch } from '../storage/object-store';
import { type Digest, type ObjectContents, type ObjectId, type Owner, type StoredObject, refOf } from '../model/objects';

/** The digest genesis objects name as the transaction that wrote them. */
export const GENESIS_TRANSACTION: Digest = `0x${'ff'.repeat(32)}`;

/** An object that exists before any transaction, at version 1. */
export function genesisObject(id: ObjectId, owner: Owner, contents: ObjectContents): StoredObject {
  const body = { id, version: 1, owner, contents, previousTransaction: GENESIS_TRANSACTION };
  return { ...body, digest: objectDigest(body) };
}

/** The batch that writes genesis objects, with sealed effects like any transaction's. */
export function genesisBatch(objects: readonly StoredObject[], epoch = 0): CommitBatch {
  const effects = sealEffects({
    transactionDigest: GENESIS_TRANSACTION,
    epoch,
    status: { kind: 'success' },
    gasUsed: 0n,
    lamportVersion: 1,
    created: objects.map(refOf),
    mutated: [],
    deleted: [],
    sharedObjects: [],
    dependencies: [],
  });
  return { transactionDigest: GENESIS_TRANSACTION, effects, events: [], written: [...objects], deleted: [] };
}
