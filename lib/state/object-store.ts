import type { TransactionEvent } from '../authority-state';
import { ExecutionDriverError } from '../errors';
import type { StateEffects } from './effects';
import type { Digest, ObjectId, StoredObject } from './objects';

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
  /** The committed effects and events of a transaction, if it was executed. */
  readExecuted(transactionDigest: Digest): Promise<ExecutedRecord | undefined>;
  /**
   * Write a transaction's objects, deletions, effects and executed marker
   * atomically. Refuses (writing nothing) a batch for a transaction already
   * committed, or one that would overwrite an existing version.
   * @throws StoreConflictError
   */
  commit(batch: CommitBatch): Promise<void>;
}

/** A batch that conflicts with what the store holds. Nothing was written. */
export class StoreConflictError extends ExecutionDriverError {}

/** The embedded default: everything in maps, immutable values, atomic commits. */
export class InMemoryObjectStore implements ObjectStore {
  private readonly versions = new Map<string, StoredObject>();
  /** Latest version of each object; `null` once deleted. */
  private readonly latest = new Map<ObjectId, StoredObject | null>();
  private readonly executed = new Map<Digest, ExecutedRecord>();

  readObjects(keys: readonly ObjectKey[]): Promise<(StoredObject | undefined)[]> {
    return Promise.resolve(keys.map((key) => this.versions.get(versionKey(key))));
  }

  readLatest(ids: readonly ObjectId[]): Promise<(StoredObject | undefined)[]> {
    return Promise.resolve(ids.map((id) => this.latest.get(id) ?? undefined));
  }

  readExecuted(transactionDigest: Digest): Promise<ExecutedRecord | undefined> {
    return Promise.resolve(this.executed.get(transactionDigest));
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
    return [...this.latest.values()].filter((o): o is StoredObject => o !== null).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  private commitNow(batch: CommitBatch): void {
    // Validate everything first: a refused batch must leave no trace.
    if (this.executed.has(batch.transactionDigest)) {
      throw new StoreConflictError(`transaction ${batch.transactionDigest} is already committed`);
    }
    for (const object of batch.written) {
      if (this.versions.has(versionKey(object))) {
        throw new StoreConflictError(`object ${object.id} version ${object.version} already exists`);
      }
    }
    for (const object of batch.written) {
      const frozen = Object.freeze({ ...object, owner: Object.freeze({ ...object.owner }), contents: Object.freeze({ ...object.contents }) });
      this.versions.set(versionKey(object), frozen);
      const current = this.latest.get(object.id);
      if (!current || current.version < object.version) this.latest.set(object.id, frozen);
    }
    for (const key of batch.deleted) this.latest.set(key.id, null);
    this.executed.set(batch.transactionDigest, Object.freeze({ effects: batch.effects, events: batch.events }));
  }
}

function versionKey(key: ObjectKey): string {
  return `${key.id}@${key.version}`;
}
