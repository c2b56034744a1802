import type { ChainRecord } from '../validator/storage/durable-store';
import type { PersistedCommittee } from '../validator/storage/lmdb-epoch-tables';
import type { Digest, ObjectId, StoredObject } from '../validator/model/objects';
import type { OwnedClaim } from '../validator/execution/reference-epoch-store';
import { type CommitBatch, type ExecutedRecord, type ObjectKey, StoreConflictError } from '../validator/storage/object-store';
import type { CommitRecord, PendingRecord } from '../validator/storage/record-encoding';

/** Commits remembered to recognise a redelivery, as the LMDB epoch tables remember them. */
const REMEMBERED_COMMITS = 1_024;

/**
 * What a validator's disk holds, in memory: objects, effects, and the epoch
 * tables, with the LMDB store's semantics (a commit batch also takes its
 * certificate out of the pending table; the latest version of an object is
 * the highest written). Only what a write applied is here: a simulated crash
 * loses whatever was still on its way, and the next process reads the rest.
 * Everything is applied synchronously by the store in front of it, at the
 * moment its write completes.
 */
export class SimulatedDisk {
  private readonly objects = new Map<ObjectId, Map<number, StoredObject>>();
  private readonly latest = new Map<ObjectId, { readonly version: number; readonly deleted: boolean }>();
  private readonly executed = new Map<Digest, ExecutedRecord>();
  private readonly pending = new Map<Digest, PendingRecord>();
  private readonly commits = new Map<number, CommitRecord>();
  private readonly nextShared = new Map<ObjectId, number>();
  /** Owned-version claims of the epoch, by `id@version`, as the LMDB table keys them. */
  private readonly claims = new Map<string, OwnedClaim>();
  private lastCommit: number | undefined;
  private committeeRecord: PersistedCommittee | undefined;
  private chainRecord: ChainRecord | undefined;
  /** Told of every commit batch applied (the simulation's ground truth of what executed). */
  onCommitted: ((batch: CommitBatch) => void) | undefined;

  readObject(key: ObjectKey): StoredObject | undefined {
    return this.objects.get(key.id)?.get(key.version);
  }

  /** Whether that version of that object was ever committed. */
  hasObject(id: ObjectId, version: number): boolean {
    return this.objects.get(id)?.has(version) === true;
  }

  readLatest(id: ObjectId): StoredObject | undefined {
    const latest = this.latest.get(id);
    return latest && !latest.deleted ? this.readObject({ id, version: latest.version }) : undefined;
  }

  readExecuted(digest: Digest): ExecutedRecord | undefined {
    return this.executed.get(digest);
  }

  /** How many transactions committed. */
  get executedCount(): number {
    return this.executed.size;
  }

  /** @throws StoreConflictError (nothing applied) for a transaction already committed or a version that exists. */
  applyBatch(batch: CommitBatch): void {
    if (this.executed.has(batch.transactionDigest)) throw new StoreConflictError(`transaction ${batch.transactionDigest} is already committed`);
    for (const object of batch.written) {
      if (this.hasObject(object.id, object.version)) throw new StoreConflictError(`object ${object.id} version ${object.version} already exists`);
    }
    for (const object of batch.written) {
      let versions = this.objects.get(object.id);
      if (!versions) this.objects.set(object.id, (versions = new Map<number, StoredObject>()));
      versions.set(object.version, frozen(object));
      const current = this.latest.get(object.id);
      if (!current || current.version < object.version || current.deleted) this.latest.set(object.id, { version: object.version, deleted: false });
    }
    for (const key of batch.deleted) {
      this.latest.set(key.id, { version: this.latest.get(key.id)?.version ?? key.version, deleted: true });
    }
    this.executed.set(batch.transactionDigest, Object.freeze({ effects: batch.effects, events: batch.events }));
    this.pending.delete(batch.transactionDigest); // executed: no longer pending, in the same write
    this.onCommitted?.(batch);
  }

  /** Every live object at its latest version, sorted by id. */
  liveObjects(): StoredObject[] {
    const live: StoredObject[] = [];
    for (const id of [...this.latest.keys()].sort()) {
      const object = this.readLatest(id);
      if (object) live.push(object);
    }
    return live;
  }

  // The epoch tables.

  lastCommitIndex(): number | undefined {
    return this.lastCommit;
  }

  commitRecord(index: number): CommitRecord | undefined {
    return this.commits.get(index);
  }

  /** Pending certificates in key order (by digest), as LMDB returns them; copies, so no caller changes the disk. */
  pendingRecords(): PendingRecord[] {
    return [...this.pending.keys()].sort().map((digest) => copyPending(this.pending.get(digest) as PendingRecord));
  }

  isPending(digest: Digest): boolean {
    return this.pending.has(digest);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  nextSharedVersions(): Map<ObjectId, number> {
    return new Map(this.nextShared);
  }

  committee(): PersistedCommittee | undefined {
    return this.committeeRecord;
  }

  ownedClaims(): OwnedClaim[] {
    return [...this.claims.values()];
  }

  chain(): ChainRecord | undefined {
    return this.chainRecord;
  }

  /** Whether nothing was ever applied: no object, executed record or epoch-table record. */
  isEmpty(): boolean {
    return (
      this.objects.size + this.latest.size + this.executed.size + this.pending.size + this.commits.size + this.claims.size === 0 &&
      this.lastCommit === undefined &&
      this.committeeRecord === undefined &&
      this.chainRecord === undefined
    );
  }

  applyChain(chain: ChainRecord): void {
    this.chainRecord = { genesisDigest: chain.genesisDigest, genesisEpoch: chain.genesisEpoch };
  }

  applyAccepted(records: readonly PendingRecord[]): void {
    for (const record of records) this.pending.set(record.certificate.digest, copyPending(record));
  }

  applyCommit(commit: { readonly index: number } & CommitRecord, sequenced: readonly PendingRecord[], next: ReadonlyMap<ObjectId, number>, claims: readonly OwnedClaim[] = []): void {
    for (const record of sequenced) this.pending.set(record.certificate.digest, copyPending(record));
    for (const claim of claims) this.claims.set(`${claim.id}@${claim.version}`, { ...claim });
    for (const [id, version] of next) this.nextShared.set(id, version);
    this.commits.set(commit.index, { digest: commit.digest, certificates: [...commit.certificates] });
    this.commits.delete(commit.index - REMEMBERED_COMMITS);
    if (this.lastCommit === undefined || this.lastCommit < commit.index) this.lastCommit = commit.index;
  }

  applyForget(digests: readonly Digest[]): void {
    for (const digest of digests) this.pending.delete(digest);
  }

  applyEpoch(committee: PersistedCommittee): void {
    if (this.committeeRecord && this.committeeRecord.epoch !== committee.epoch) {
      // Claims and next shared versions belong to their epoch: the next one starts from the store.
      this.claims.clear();
      this.nextShared.clear();
    }
    this.committeeRecord = { epoch: committee.epoch, validators: committee.validators };
  }
}

function copyPending(record: PendingRecord): PendingRecord {
  return { certificate: record.certificate, commit: record.commit && { ...record.commit }, shared: new Map(record.shared) };
}

/** Stored values are immutable, as the other stores keep them. */
function frozen(object: StoredObject): StoredObject {
  if (!Object.isFrozen(object.owner)) Object.freeze(object.owner);
  if (!Object.isFrozen(object.contents)) Object.freeze(object.contents);
  return Object.isFrozen(object) ? object : Object.freeze(object);
}
