import type { TransactionEvent } from '../../authority-state';
import { ExecutionDriverError, InvalidOptionError } from '../../errors';
import type { StateEffects } from '../model/effects';
import type { Digest, ObjectId, StoredObject } from '../model/objects';

/** One version of one object. */
export interface ObjectKey {
  readonly id: ObjectId;
  readonly version: number;
}

/** What executing one transaction writes, committed all at once or not at all. */
export interface CommitBatch {
  readonly transactionDigest: Digest;
  readonly effects: StateEffects;
  readonly events: readonly TransactionEvent[];
  /** New versions of created and mutated objects. */
  readonly written: readonly StoredObject[];
  /** Objects deleted, with the version at which they were deleted. */
  readonly deleted: readonly ObjectKey[];
}

/** A transaction's committed outputs, as `readExecuted` returns them. */
export interface ExecutedRecord {
  readonly effects: StateEffects;
  readonly events: readonly TransactionEvent[];
}

/**
 * Versioned object storage. Every method is asynchronous and every write is
 * one atomic batch, so a persistent implementation (a key-value store with
 * write batches) can stand in for the in-memory one. Returned objects are
 * immutable values: a caller never holds a reference into the store.
 */
export interface ObjectStore {
  /** The objects at exactly these versions (`undefined` for each that does not exist). */
  readObjects(keys: readonly ObjectKey[]): Promise<(StoredObject | undefined)[]>;
  /** The latest live version of each object (`undefined` if unknown or deleted). */
  readLatest(ids: readonly ObjectId[]): Promise<(StoredObject | undefined)[]>;
  /**
   * The committed effects and events of a transaction, if it was executed
   * and its record is kept (retention may prune it: ask {@link isExecuted}
   * whether it executed).
   */
  readExecuted(transactionDigest: Digest): Promise<ExecutedRecord | undefined>;
  /**
   * Whether the transaction was committed. Every transaction of the newest
   * epoch the store committed a batch in is recognised, whatever the
   * retention pruned of its effects and events (as Sui's per-epoch table of
   * what executed in the epoch); one of an earlier epoch, while its record is
   * kept (a certificate of an earlier epoch is refused as `wrong-epoch`
   * anyway). Optional for stores written before it existed: without it,
   * callers ask `readExecuted`, so such a store must not prune executed
   * records of the current epoch, or a certificate may execute twice.
   */
  isExecuted?(transactionDigest: Digest): Promise<boolean>;
  /**
   * `isExecuted` for many transactions in one call, in order: the manager
   * asks it once per submit or commit. Optional: without it, callers ask
   * `isExecuted` (or `readExecuted`) for each.
   */
  areExecuted?(transactionDigests: readonly Digest[]): Promise<boolean[]>;
  /**
   * Write a transaction's objects, deletions, effects and executed marker
   * atomically. Refuses (writing nothing) a batch for a transaction already
   * committed, or one that would overwrite an existing version. The store
   * takes ownership of the batch: the in-memory one keeps its objects frozen.
   * @throws StoreConflictError
   */
  commit(batch: CommitBatch): Promise<void>;
  /**
   * Optional, for a store whose commits wait for a disk: stage the batch, so
   * that it is readable as soon as this returns, and resolve once it is
   * durable. A batch staged after one whose outputs it read is never durable
   * without it: if that one fails, so does this. `ReferenceAuthorityState`
   * announces a transaction's outputs once staged (so what spends them runs
   * meanwhile) and reports it executed once durable.
   * @throws StoreConflictError (nothing staged), as `commit` rejects.
   */
  stage?(batch: CommitBatch): Promise<void>;
}

/** A batch that conflicts with what the store holds. Nothing was written. */
export class StoreConflictError extends ExecutionDriverError {}

/** Every version of one object, in increasing version order, and whether it is deleted. */
interface ObjectHistory {
  readonly versions: StoredObject[];
  deleted: boolean;
}

/**
 * What an {@link InMemoryObjectStore} keeps. By default everything, forever;
 * a long-running process (a simulator, a demo) prunes, as a validator prunes
 * after checkpoints, so memory stays bounded.
 */
export interface InMemoryRetention {
  /**
   * Versions kept per object, newest first (at least 1). Older versions can
   * no longer be read, so a certificate that names one (a stale copy, or a
   * read-only shared input left far behind) cannot execute. Default: all.
   */
  readonly versionsPerObject?: number;
  /**
   * Executed transactions whose effects and events are kept, the most
   * recent (at least 1); an older one's `readExecuted` answers `undefined`.
   * What executed in the current epoch is still recognised as executed
   * (`isExecuted`, a marker of its digest: about 120 bytes of heap per
   * transaction in memory, with this option set; about 100 bytes of disk in
   * LMDB, whatever it is, as a database may be reopened with another), so no
   * certificate executes twice, whatever this is; an epoch's markers are
   * dropped by the first batch committed in the next epoch. Default: all.
   */
  readonly executedTransactions?: number;
}

/**
 * The embedded default: everything in maps, immutable values, atomic commits.
 * Versions are kept per object (no composite string keys), so a commit or a
 * read costs one map lookup per object (bench/validator.ts).
 */
export class InMemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<ObjectId, ObjectHistory>();
  private readonly executed = new Map<Digest, ExecutedRecord>();
  /** Every transaction committed in `markedEpoch`, kept whatever the retention prunes of `executed`. */
  private readonly executedInEpoch = new Set<Digest>();
  private markedEpoch = Number.NEGATIVE_INFINITY;
  private readonly versionsPerObject: number;
  private readonly executedTransactions: number;

  constructor(retention: InMemoryRetention = {}) {
    this.versionsPerObject = retention.versionsPerObject ?? Number.POSITIVE_INFINITY;
    this.executedTransactions = retention.executedTransactions ?? Number.POSITIVE_INFINITY;
    if (!(this.versionsPerObject >= 1) || !(this.executedTransactions >= 1)) {
      throw new InvalidOptionError('retention', retention, 'at least 1 version per object and 1 executed transaction');
    }
  }

  readObjects(keys: readonly ObjectKey[]): Promise<(StoredObject | undefined)[]> {
    return Promise.resolve(keys.map((key) => this.readVersion(key)));
  }

  readLatest(ids: readonly ObjectId[]): Promise<(StoredObject | undefined)[]> {
    return Promise.resolve(ids.map((id) => this.latestOf(id)));
  }

  readExecuted(transactionDigest: Digest): Promise<ExecutedRecord | undefined> {
    return Promise.resolve(this.executed.get(transactionDigest));
  }

  isExecuted(transactionDigest: Digest): Promise<boolean> {
    return Promise.resolve(this.wasCommitted(transactionDigest));
  }

  areExecuted(transactionDigests: readonly Digest[]): Promise<boolean[]> {
    return Promise.resolve(transactionDigests.map((digest) => this.wasCommitted(digest)));
  }

  commit(batch: CommitBatch): Promise<void> {
    try {
      this.commitNow(batch);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new StoreConflictError(String(error)));
    }
  }

  /** Every live object at its latest version, sorted by id: for comparing stores. */
  liveObjects(): StoredObject[] {
    const live: StoredObject[] = [];
    for (const id of this.objects.keys()) {
      const object = this.latestOf(id);
      if (object) live.push(object);
    }
    return live.sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  private wasCommitted(digest: Digest): boolean {
    // Markers are kept only with a finite retention: without, the records say it all (and the set is not asked).
    return (this.executedInEpoch.size > 0 && this.executedInEpoch.has(digest)) || this.executed.has(digest);
  }

  /**
   * Mark the transaction executed in its epoch. The first batch of a newer
   * epoch drops the older epoch's markers: a certificate of an ended epoch
   * never executes again (the state refuses it).
   */
  private markExecuted(batch: CommitBatch): void {
    const { epoch } = batch.effects;
    if (epoch > this.markedEpoch) {
      this.executedInEpoch.clear();
      this.markedEpoch = epoch;
    }
    // One of an older epoch (only a caller of the store, not the state, can commit it now) is marked too: more is never unsafe.
    this.executedInEpoch.add(batch.transactionDigest);
  }

  private latestOf(id: ObjectId): StoredObject | undefined {
    const history = this.objects.get(id);
    return history && !history.deleted ? history.versions[history.versions.length - 1] : undefined;
  }

  private readVersion(key: ObjectKey): StoredObject | undefined {
    const versions = this.objects.get(key.id)?.versions;
    return versions && versionIn(versions, key.version);
  }

  private commitNow(batch: CommitBatch): void {
    // Validate everything first: a refused batch must leave no trace.
    if (this.wasCommitted(batch.transactionDigest)) {
      throw new StoreConflictError(`transaction ${batch.transactionDigest} is already committed`);
    }
    const histories: (ObjectHistory | undefined)[] = [];
    for (const object of batch.written) {
      const history = this.objects.get(object.id);
      if (history && versionIn(history.versions, object.version)) {
        throw new StoreConflictError(`object ${object.id} version ${object.version} already exists`);
      }
      histories.push(history);
    }
    batch.written.forEach((object, i) => {
      let history = histories[i];
      if (!history) this.objects.set(object.id, (history = { versions: [], deleted: false }));
      const { versions } = history;
      const stored = frozen(object);
      // Lamport versions make every write the newest version of its object: append, in the usual case.
      if ((versions[versions.length - 1]?.version ?? -1) < object.version) {
        versions.push(stored);
        history.deleted = false;
      } else {
        versions.splice(insertionIndex(versions, object.version), 0, stored);
      }
    });
    for (const key of batch.deleted) {
      const history = this.objects.get(key.id);
      if (history) history.deleted = true;
      else this.objects.set(key.id, { versions: [], deleted: true });
      // Pruning: a deleted object's history goes with it.
      if (this.versionsPerObject !== Number.POSITIVE_INFINITY) this.objects.delete(key.id);
    }
    if (this.versionsPerObject !== Number.POSITIVE_INFINITY) {
      for (const object of batch.written) {
        const versions = this.objects.get(object.id)?.versions;
        if (versions && versions.length > this.versionsPerObject) versions.splice(0, versions.length - this.versionsPerObject);
      }
    }
    this.executed.set(batch.transactionDigest, Object.freeze({ effects: batch.effects, events: batch.events }));
    // Kept whole (no retention), the records say it all: markers only when they may be pruned.
    if (this.executedTransactions !== Number.POSITIVE_INFINITY) this.markExecuted(batch);
    // A Map iterates in insertion order: the first key is the oldest record.
    if (this.executed.size > this.executedTransactions) this.executed.delete(this.executed.keys().next().value as Digest);
  }
}

/** The object at exactly `version`, if any. */
function versionIn(versions: readonly StoredObject[], version: number): StoredObject | undefined {
  const found = versions[insertionIndex(versions, version)];
  return found?.version === version ? found : undefined;
}

/** The index of the first version not below `version` (binary search). */
function insertionIndex(versions: readonly StoredObject[], version: number): number {
  let low = 0;
  let high = versions.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((versions[middle] as StoredObject).version < version) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The stored value: the batch's object itself, frozen (a commit takes
 * ownership of what it writes, so nothing is copied); owner and contents
 * are frozen too, and usually already are (shared with the inputs').
 */
function frozen(object: StoredObject): StoredObject {
  if (!Object.isFrozen(object.owner)) Object.freeze(object.owner);
  if (!Object.isFrozen(object.contents)) Object.freeze(object.contents);
  return Object.freeze(object);
}
