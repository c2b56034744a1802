import type { Digest, ObjectId, StoredObject } from '../model/objects';
import type { CommitBatch, ExecutedRecord } from './object-store';

/** The newest version of an object that staged batches write or delete. */
interface StagedLatest {
  version: number;
  deleted: boolean;
  /** Staged batches that write or delete the object: the entry goes when the last one is on disk. */
  batches: number;
}

/**
 * What batches staged and not yet on disk write, readable at once: their
 * objects, executed records and latest versions, and the executed-log
 * sequence number each took. The durable store answers reads from here
 * first, so a batch is visible as soon as it is staged, as the in-memory
 * store's are, while its write is still on its way to disk.
 */
export class StagedBatches {
  /** By id, the versions staged (usually one or two): no string key built per lookup. */
  private readonly objects = new Map<ObjectId, StoredObject[]>();
  private readonly executed = new Map<Digest, ExecutedRecord>();
  private readonly latest = new Map<ObjectId, StagedLatest>();
  private readonly sequences = new Set<number>();

  /** Stage `batch` (its objects frozen: readers get them as they are). */
  add(batch: CommitBatch, sequence: number): void {
    for (const object of batch.written) {
      const versions = this.objects.get(object.id);
      if (versions) versions.push(frozen(object));
      else this.objects.set(object.id, [frozen(object)]);
      this.raise(object.id, object.version, false);
    }
    for (const key of batch.deleted) this.raise(key.id, key.version, true);
    this.executed.set(batch.transactionDigest, Object.freeze({ effects: batch.effects, events: batch.events }));
    this.sequences.add(sequence);
  }

  /** `batch` is on disk, or will never be: reads go to the disk again. */
  remove(batch: CommitBatch, sequence: number): void {
    for (const object of batch.written) {
      const versions = this.objects.get(object.id);
      const at = versions ? versions.findIndex((staged) => staged.version === object.version) : -1;
      if (versions && at >= 0) {
        versions.splice(at, 1);
        if (versions.length === 0) this.objects.delete(object.id);
      }
      this.lower(object.id);
    }
    for (const key of batch.deleted) this.lower(key.id);
    this.executed.delete(batch.transactionDigest);
    this.sequences.delete(sequence);
  }

  object(id: ObjectId, version: number): StoredObject | undefined {
    const versions = this.objects.get(id);
    if (versions === undefined) return undefined;
    for (const staged of versions) if (staged.version === version) return staged;
    return undefined;
  }

  hasVersion(id: ObjectId, version: number): boolean {
    return this.object(id, version) !== undefined;
  }

  executedRecord(digest: Digest): ExecutedRecord | undefined {
    return this.executed.get(digest);
  }

  /** The newest version staged batches write or delete of `id`, if any. */
  latestOf(id: ObjectId): { readonly version: number; readonly deleted: boolean } | undefined {
    return this.latest.get(id);
  }

  /** The objects staged batches write or delete. */
  ids(): IterableIterator<ObjectId> {
    return this.latest.keys();
  }

  hasSequence(sequence: number): boolean {
    return this.sequences.has(sequence);
  }

  private raise(id: ObjectId, version: number, deleted: boolean): void {
    const known = this.latest.get(id);
    if (!known) this.latest.set(id, { version, deleted, batches: 1 });
    else {
      known.batches++;
      if (version >= known.version) {
        known.version = version;
        known.deleted = deleted;
      }
    }
  }

  private lower(id: ObjectId): void {
    const known = this.latest.get(id);
    if (known && --known.batches === 0) this.latest.delete(id);
  }
}

function frozen(object: StoredObject): StoredObject {
  if (!Object.isFrozen(object.owner)) Object.freeze(object.owner);
  if (!Object.isFrozen(object.contents)) Object.freeze(object.contents);
  return Object.freeze(object);
}
