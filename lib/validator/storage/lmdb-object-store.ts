import { statSync } from 'node:fs';
import { type Database, type RootDatabase, open } from 'lmdb';
import type { TransactionEvent } from '../../authority-state';
import type { ChainRecord } from './durable-store';
import { InvalidOptionError } from '../../errors';
import type { Digest, ObjectId, StoredObject } from '../model/objects';
import { LmdbEpochTables } from './lmdb-epoch-tables';
import { checkDatabasePath } from './lmdb-file';
import { describeProcess, otherLockHolders } from './lock-holders';
import { claimPath } from './open-paths';
import type { CommitBatch, ExecutedRecord, InMemoryRetention, ObjectKey, ObjectStore } from './object-store';
import { StoreConflictError } from './object-store';
import { type AbsentKey, type TableWrite, issueBatch } from './lmdb-writes';
import { decodeExecuted, decodeStoredObject, encodeExecuted, encodeStoredObject, hexOf, idBytes, objectKey, u64Bytes, u64Of } from './record-encoding';
import { type LatestEntry, LandedObjects } from './landed-objects';
import { StagedBatches } from './staged-batches';
import { exactLength, readRecord, sameKey, u64Record } from './record-reads';
import { StoreClosedError, StoreFullError, StoreOpenError } from './store-errors';
import { checkRoomToOpen } from './open-space';

/**
 * The on-disk format this package writes. A database of another one is
 * refused, never rewritten. Format 2: pending certificates and the committee
 * carry BLS12-381 quorum signatures and keys; format 1 held ed25519 ones.
 */
export const LMDB_FORMAT_VERSION = 2;
const FORMAT_KEY = 'soma-validator-format';
/** The chain record: the genesis effects' digest (32 bytes), then the genesis epoch (u64). */
const CHAIN_KEY = 'chain';

/** Options of {@link LmdbObjectStore.open}. */
export interface LmdbObjectStoreOptions extends InMemoryRetention {
  /** The database file (LMDB also writes `<path>-lock` beside it). Its folder is created. */
  readonly path: string;
  /** The most the database may grow to, in bytes (LMDB's map size). Default 16 GiB of address space, not disk. */
  readonly mapSize?: number;
  /**
   * Wait for the disk (fsync) before a commit resolves. Default true; false
   * only for throwaway databases (tests of something else): a crash of the
   * machine may then lose recent commits.
   */
  readonly sync?: boolean;
  /**
   * How many object versions (and, apart, latest-version entries) of landed
   * batches to keep decoded in memory, so the next reads of hot objects need
   * no LMDB read or decoding. Default 16,384; 0 keeps none.
   */
  readonly cachedObjects?: number;
}

/** A staged batch waiting for its write. */
interface QueuedBatch {
  readonly batch: CommitBatch;
  readonly sequence: number;
  readonly absent: AbsentKey;
  readonly writes: readonly TableWrite[];
  /** What the batch does to the disk's latest-version entries and object versions, mirrored in `landed` once it is on disk. */
  readonly mirror: DiskChanges;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** A batch's writes to the latest-version table, in order, and the object versions it prunes. */
interface DiskChanges {
  readonly latest: [ObjectId, LatestEntry | null][];
  readonly pruned: [ObjectId, number][];
}

/** Latest-version index entry: the version, then 1 if the object is deleted. */
const LIVE = 0;
const DELETED = 1;

/**
 * The durable object store, on LMDB (lmdb-js). Objects, effects and events
 * are stored as their canonical BCS bytes. Each commit batch (objects, their
 * latest-version entries, effects, events, executed marker, and the removal of the
 * certificate from the pending table) is issued as one block of writes,
 * conditional on its transaction and its object versions not existing yet:
 * it lands whole or not at all. Batches issued together share one LMDB
 * transaction and one fsync (group commit), applied by lmdb-js's writer
 * thread, and a commit's promise resolves only once it is on disk:
 * `overlappingSync` is off, because with it lmdb-js resolves when a write is
 * visible, before it is flushed.
 *
 * Also holds the pipeline's epoch tables ({@link LmdbEpochTables}) in the same file.
 */
export class LmdbObjectStore implements ObjectStore {
  /** The pipeline's durable epoch state, in the same database. */
  readonly epochTables: LmdbEpochTables;
  private readonly objects: Database<Buffer, Buffer>;
  private readonly latest: Database<Buffer, Buffer>;
  private readonly executed: Database<Buffer, Buffer>;
  private readonly executedOrder: Database<Buffer, Buffer>;
  /** Digest to epoch of every transaction committed in the current epoch: kept whatever the retention prunes of `executed`. */
  private readonly executedInEpoch: Database<Buffer, Buffer>;
  /** The epoch of the markers in `executedInEpoch` (those of an older one go with the first batch of a newer one). */
  private markedEpoch: number;
  private readonly pending: Database<Buffer, Buffer>;
  private readonly versionsPerObject: number;
  private readonly executedTransactions: number;
  /** Sequence numbers of executed records: the next to write, and the oldest still kept. */
  private nextSequence: number;
  private oldestSequence: number;
  /** Batches staged and not yet on disk: readable at once, and later batches are checked against them. */
  private readonly staged = new StagedBatches();
  /** What landed batches wrote, decoded: read before the disk. */
  private readonly landed: LandedObjects;
  /** Staged batches waiting for the write on its way to land: they go in the next one, together. */
  private queue: QueuedBatch[] = [];
  private writing = false;
  /** Transactions whose batch failed to land, and why: a batch that read their outputs fails too. */
  private readonly lost = new Map<Digest, Error>();
  /** Each staged batch's promise of landing, by transaction, until it settles. */
  private readonly landing = new Map<Digest, Promise<void>>();
  private drained: (() => void)[] = [];
  private closed = false;

  private constructor(
    /** The database file. */
    readonly path: string,
    private readonly root: RootDatabase<Buffer, string>,
    retention: InMemoryRetention,
    /** Gives the path back to this process's other opens, once closed. */
    private readonly release: () => void,
    cachedObjects: number,
  ) {
    this.landed = new LandedObjects(cachedObjects);
    this.versionsPerObject = retention.versionsPerObject ?? Number.POSITIVE_INFINITY;
    this.executedTransactions = retention.executedTransactions ?? Number.POSITIVE_INFINITY;
    const table = (name: string) => root.openDB<Buffer, Buffer>(name, { encoding: 'binary', keyEncoding: 'binary' });
    this.objects = table('objects');
    this.latest = table('latest');
    this.executed = table('executed');
    this.executedOrder = table('executed-order');
    this.executedInEpoch = table('executed-in-epoch');
    this.pending = table('pending');
    this.epochTables = new LmdbEpochTables(
      { path, root, pending: this.pending, commits: table('commits'), nextShared: table('next-shared'), claims: table('owned-claims') },
      (writes) => this.issue(writes),
      () => this.refuseIfClosed(),
    );
    const marker = Array.from(this.executedInEpoch.getRange({ limit: 1 }))[0];
    this.markedEpoch = marker ? readRecord(path, 'executed-in-epoch', marker.key, marker.value, u64Record) : Number.NEGATIVE_INFINITY;
    const last = Array.from(this.executedOrder.getKeys({ reverse: true, limit: 1 }))[0];
    const first = Array.from(this.executedOrder.getKeys({ limit: 1 }))[0];
    this.nextSequence = last ? readRecord(path, 'executed-order', last, last, u64Record) + 1 : 0;
    this.oldestSequence = first ? readRecord(path, 'executed-order', first, first, u64Record) : 0;
    holdTurnCommits(root);
  }

  /**
   * Open (or create) the database at `options.path`.
   * Only one store may have a database open: a second, in this process or
   * another (found in the kernel's lock table, on Linux), is refused.
   * @throws StoreOpenError `not-writable`, `corrupt`, `foreign`, `in-use`, `newer-format`, `older-format` or `no-space`, having changed nothing.
   * @throws InvalidOptionError for a retention below 1.
   */
  static open(options: LmdbObjectStoreOptions): LmdbObjectStore {
    const { path, mapSize = 16 * 1024 ** 3, sync = true, cachedObjects = 16_384, ...retention } = options;
    if (!((retention.versionsPerObject ?? 1) >= 1) || !((retention.executedTransactions ?? 1) >= 1)) {
      throw new InvalidOptionError('retention', retention, 'at least 1 version per object and 1 executed transaction');
    }
    if (!Number.isSafeInteger(cachedObjects) || cachedObjects < 0) throw new InvalidOptionError('cachedObjects', cachedObjects, 'a whole number, 0 or more');
    checkDatabasePath(path);
    checkRoomToOpen(path);
    const release = claimPath(path);
    let root: RootDatabase<Buffer, string>;
    try {
      root = open<Buffer, string>({ path, mapSize, maxDbs: 16, encoding: 'binary', overlappingSync: false, noSync: !sync, cache: false });
    } catch (error) {
      release();
      throw new StoreOpenError('corrupt', path, `LMDB cannot open it (${(error as Error).message})`, { cause: error });
    }
    try {
      // Looked at with this process's environment open: two processes opening at once each see the other.
      const holders = otherLockHolders(`${path}-lock`);
      if (holders.checked && holders.pids.length > 0) {
        throw new StoreOpenError('in-use', path, `another process has it open: ${holders.pids.map(describeProcess).join(', ')}`);
      }
      adoptFormat(root, path);
      return new LmdbObjectStore(path, root, retention, release, cachedObjects);
    } catch (error) {
      void root.close().finally(release);
      throw error;
    }
  }

  /** @throws StoreCorruptError for a damaged record; StoreClosedError once closed. */
  readObjects(keys: readonly ObjectKey[]): Promise<(StoredObject | undefined)[]> {
    return this.answer(() => keys.map((key) => this.staged.object(key.id, key.version) ?? this.readVersion(key.id, key.version)));
  }

  /** @throws StoreCorruptError for a damaged record; StoreClosedError once closed. */
  readLatest(ids: readonly ObjectId[]): Promise<(StoredObject | undefined)[]> {
    return this.answer(() => ids.map((id) => this.latestOf(id)));
  }

  /** @throws StoreCorruptError for a damaged record; StoreClosedError once closed. */
  readExecuted(transactionDigest: Digest): Promise<ExecutedRecord | undefined> {
    return this.answer(() => {
      const staged = this.staged.executedRecord(transactionDigest);
      if (staged) return staged;
      const key = idBytes(transactionDigest);
      const bytes = this.executed.getBinaryFast(key);
      if (!bytes) return undefined;
      return frozenRecord(
        readRecord(this.path, 'executed', key, bytes, (record) => {
          const decoded = decodeExecuted(record.subarray(8, Math.max(8, record.length)));
          // The key's own spelling: a digest asked for in upper case finds the same key (hex is read in either case).
          sameKey('effects of', hexOf(key), decoded.effects.transactionDigest);
          return decoded;
        }),
      );
    });
  }

  /**
   * Whether the transaction was committed (staged batches included): every
   * one of the current epoch, whatever the retention pruned of its record
   * (an epoch's markers go with the first batch of the next one).
   */
  isExecuted(transactionDigest: Digest): Promise<boolean> {
    return this.answer(() => this.wasCommitted(transactionDigest));
  }

  /** {@link isExecuted} for each, in order, in one answer. */
  areExecuted(transactionDigests: readonly Digest[]): Promise<boolean[]> {
    return this.answer(() => transactionDigests.map((digest) => this.wasCommitted(digest)));
  }

  /**
   * Write the batch, resolved once on disk (see {@link LmdbObjectStore.stage}).
   * @throws StoreConflictError (nothing written) for a transaction already committed or a version that exists.
   * @throws StoreFullError when the database is full; nothing of this batch (or of the commits grouped with it) is written.
   */
  commit(batch: CommitBatch): Promise<void> {
    try {
      this.refuseIfClosed();
      return this.stage(batch);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Stage the batch: checked and encoded now, readable from the moment this
   * returns, and written behind the batches staged before it. The batches
   * staged while one write is on its way to disk go in the next write,
   * together: one LMDB transaction and one fsync (group commit). Resolves
   * once the batch is on disk. A batch that read the outputs of one that
   * failed to land fails with it, so none is ever on disk without what it
   * read. The store takes ownership of the batch: its objects are frozen.
   * @throws StoreConflictError (nothing staged) for a transaction already committed or a version that exists.
   * @throws the error of a batch this one depends on, if that one failed to land.
   * @throws StoreClosedError once closed.
   */
  stage(batch: CommitBatch): Promise<void> {
    this.refuseIfClosed();
    for (const dependency of batch.effects.dependencies) {
      const lost = this.lost.get(dependency);
      if (lost) throw lost;
    }
    const sequence = this.nextSequence;
    const planned = this.batchWrites(batch, sequence);
    this.lost.delete(batch.transactionDigest); // sent again: this attempt is the one that counts
    this.nextSequence = sequence + 1;
    this.oldestSequence = planned.oldest;
    this.staged.add(batch, sequence);
    const digest = batch.transactionDigest;
    const landed = new Promise<void>((resolve, reject) => {
      this.queue.push({ batch, sequence, absent: planned.absent, writes: planned.writes, mirror: planned.mirror, resolve, reject });
      if (!this.writing) this.flush();
    });
    this.landing.set(digest, landed);
    const settled = (): void => {
      if (this.landing.get(digest) === landed) this.landing.delete(digest);
    };
    landed.then(settled, settled);
    return landed;
  }

  /**
   * Resolves once each of these transactions, if a batch of it is staged, is
   * on disk; rejects with the store's error if one failed to land. A
   * transaction not staged is already on disk, or not executed at all.
   */
  whenOnDisk(digests: readonly Digest[]): Promise<void> {
    if (this.closed) return Promise.reject(new StoreClosedError(this.path));
    const waits: Promise<void>[] = [];
    for (const digest of digests) {
      const landed = this.landing.get(digest);
      if (landed) waits.push(landed);
      else {
        const lost = this.lost.get(digest);
        if (lost) return Promise.reject(lost);
      }
    }
    return waits.length === 0 ? Promise.resolve() : Promise.all(waits).then(() => undefined);
  }

  /**
   * The chain recorded when the database was created, if any.
   * @throws StoreOpenError `corrupt` for a record that is not one.
   */
  chain(): ChainRecord | undefined {
    this.refuseIfClosed();
    const bytes = this.root.get(CHAIN_KEY);
    if (bytes === undefined) return undefined;
    if (bytes.length !== 40) throw new StoreOpenError('corrupt', this.path, `its chain record has ${bytes.length} bytes, not 40`);
    return { genesisDigest: hexOf(bytes.subarray(0, 32)), genesisEpoch: u64Of(bytes, 32) };
  }

  /** Record the database's chain (once, after genesis); resolved once on disk. */
  recordChain(chain: ChainRecord): Promise<void> {
    if (this.closed) return Promise.reject(new StoreClosedError(this.path));
    const value = Buffer.concat([idBytes(chain.genesisDigest), u64Bytes(chain.genesisEpoch)]);
    return this.issue([{ table: this.root, key: CHAIN_KEY, value, undo: this.root.getBinary(CHAIN_KEY) ?? 'remove' }]);
  }

  /** Whether the database holds nothing yet (staged batches included): no object, executed record or epoch-table record. */
  isEmpty(): boolean {
    this.refuseIfClosed();
    const tables = [this.objects, this.latest, this.executed, this.executedOrder, this.executedInEpoch, this.pending];
    return (
      this.staged.ids().next().done === true &&
      tables.every((table) => (table.getStats() as { entryCount: number }).entryCount === 0) &&
      this.epochTables.committee() === undefined &&
      this.epochTables.lastCommitIndex() === undefined &&
      this.root.get(CHAIN_KEY) === undefined
    );
  }

  /** Every live object at its latest version (staged batches included, as reads see them), sorted by id: for comparing stores. */
  liveObjects(): StoredObject[] {
    this.refuseIfClosed();
    const ids = new Set<ObjectId>();
    for (const key of this.latest.getKeys({})) ids.add(hexOf(key));
    for (const id of this.staged.ids()) ids.add(id);
    const live: StoredObject[] = [];
    for (const id of [...ids].sort()) {
      const object = this.latestOf(id);
      if (object) live.push(object);
    }
    return live;
  }

  /** Resolves once every batch staged so far is on disk (or failed to land). */
  whenDurable(): Promise<void> {
    if (this.closed) return Promise.reject(new StoreClosedError(this.path));
    return this.landedAll();
  }

  private landedAll(): Promise<void> {
    return this.writing ? new Promise<void>((resolve) => this.drained.push(resolve)) : Promise.resolve();
  }

  /** Executed transactions recorded on disk (within the retention). */
  executedCount(): number {
    this.refuseIfClosed();
    return (this.executed.getStats() as { entryCount: number }).entryCount;
  }

  /** Object versions stored, every id and every version kept: an audit compares it with what the effects say was written. */
  objectVersionCount(): number {
    this.refuseIfClosed();
    return (this.objects.getStats() as { entryCount: number }).entryCount;
  }

  /** The database file's size on disk, in bytes. */
  sizeOnDisk(): number {
    this.refuseIfClosed();
    return statSync(this.path).size;
  }

  /**
   * Refuse every call from now on ({@link StoreClosedError}), wait for the
   * batches on their way to land (or fail: their callers get that error),
   * then close. Idempotent. Resolves also after a failed write (a full disk):
   * that failure was its callers' answer, and what landed before is on disk.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.landedAll();
      // Every write's promise is held by its caller, who got its typed error: what the flush adds is the same failure.
      await Promise.resolve(this.root.flushed).catch(() => undefined);
    } finally {
      // Closed and released even when the last flush failed (a full disk): a restart in this process must open it.
      try {
        await Promise.resolve(this.root.close()).catch(async (error: unknown) => {
          const typed = await this.storeError(error);
          if (!(typed instanceof StoreFullError)) throw typed;
        });
      } finally {
        this.release();
      }
    }
  }

  /**
   * @internal Issue writes of the epoch tables in the store's write order,
   * grouped with the commits of the same turn; resolved once on disk.
   * @throws StoreFullError when the database is full (nothing of the group is written).
   */
  issue(writes: readonly TableWrite[]): Promise<void> {
    let landed: Promise<boolean>;
    try {
      this.refuseIfClosed();
      landed = issueBatch(undefined, writes);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return landed.then(
      () => undefined,
      async (error: unknown) => {
        throw await this.storeError(error);
      },
    );
  }

  /**
   * Issue every queued batch in this turn (one LMDB transaction), and the
   * next group once it landed. A batch that reads the outputs of one that
   * failed (in this group or before) is not issued, and fails with it.
   */
  private flush(): void {
    const group = this.queue;
    this.queue = [];
    this.writing = true;
    const landed = group.map((queued) => {
      const lost = queued.batch.effects.dependencies.map((d) => this.lost.get(d)).find((e) => e !== undefined);
      if (lost) return Promise.reject(lost);
      try {
        return issueBatch(queued.absent, queued.writes);
      } catch (error) {
        // Undone in the transaction: it will not land, and nor will what read its outputs.
        const failure = error instanceof Error ? error : new Error(String(error));
        this.lost.set(queued.batch.transactionDigest, failure);
        return Promise.reject(failure);
      }
    });
    void Promise.allSettled(landed).then(async (results) => {
      for (const [i, queued] of group.entries()) {
        const result = results[i] as PromiseSettledResult<boolean>;
        this.staged.remove(queued.batch, queued.sequence);
        if (result.status === 'fulfilled' && result.value) {
          this.mirrorLanded(queued);
          queued.resolve();
          continue;
        }
        // Checked when staged, so an executed record on disk now means a copy landed by another way: refuse it.
        const failure =
          result.status === 'fulfilled' ? new StoreConflictError(`transaction ${queued.batch.transactionDigest} is already committed`) : await this.storeError(result.reason);
        this.lost.set(queued.batch.transactionDigest, failure);
        queued.reject(failure);
      }
      this.writing = false;
      if (this.queue.length > 0) this.flush();
      else for (const resolve of this.drained.splice(0)) resolve();
    });
  }

  /**
   * The writes of one batch: its objects and each one's latest-version entry
   * (deleted ones marked there), its executed record and log entry, what the
   * retention drops, and last the certificate's removal from the pending
   * table; issued on condition that its executed record does not exist yet.
   * Everything that can throw (the checks, encoding) happens here, before
   * anything is staged.
   * @throws StoreConflictError for a transaction or a version on disk or staged.
   */
  private batchWrites(
    batch: CommitBatch,
    sequence: number,
  ): { absent: AbsentKey; writes: TableWrite[]; mirror: DiskChanges; oldest: number } {
    const digestKey = idBytes(batch.transactionDigest);
    if (this.staged.executedRecord(batch.transactionDigest) || this.committedOnDisk(digestKey)) {
      throw new StoreConflictError(`transaction ${batch.transactionDigest} is already committed`);
    }
    const writes: TableWrite[] = [];
    const mirror: DiskChanges = { latest: [], pruned: [] };
    const versions = new Set<string>();
    const pruning = this.versionsPerObject !== Number.POSITIVE_INFINITY;
    for (const object of batch.written) {
      const key = objectKey(object.id, object.version);
      const version = versionKey(object.id, object.version);
      const id = idBytes(object.id);
      const entry = this.latestOnDisk(object.id);
      const current = entry ? latestEntry(entry.version, entry.deleted ? DELETED : LIVE) : undefined;
      const onDisk = entry ? entry.version : -1;
      // No version above the latest-version entry is on disk: the usual write (a new version) reads nothing more.
      if (versions.has(version) || this.staged.hasVersion(object.id, object.version) || (onDisk >= object.version && this.objects.doesExist(key))) {
        throw new StoreConflictError(`object ${object.id} version ${object.version} already exists`);
      }
      versions.add(version);
      writes.push({ table: this.objects, key, value: encodeStoredObject(object), undo: 'remove' });
      // Lamport versions make a write the newest version of its object, but not a store's caller (genesis, tests).
      const onItsWay = this.staged.latestOf(object.id)?.version ?? -1;
      if (onItsWay < object.version && (onDisk < object.version || entry?.deleted === true)) {
        writes.push({ table: this.latest, key: id, value: latestEntry(object.version, LIVE), undo: current ?? 'remove' });
        mirror.latest.push([object.id, { version: object.version, deleted: false }]);
      }
      if (pruning) this.pruneWrites(object.id, object.version, writes, mirror);
    }
    for (const deleted of batch.deleted) {
      const id = idBytes(deleted.id);
      const entry = this.latestOnDisk(deleted.id);
      const current = entry ? latestEntry(entry.version, entry.deleted ? DELETED : LIVE) : undefined;
      if (pruning) {
        // Pruning: a deleted object's history goes with it.
        for (const { key, value } of this.objects.getRange({ start: objectKey(deleted.id, 0), end: objectKey(deleted.id, Number.MAX_SAFE_INTEGER) })) {
          writes.push({ table: this.objects, key, value: undefined, undo: value });
          mirror.pruned.push([deleted.id, u64Of(key, 32)]);
        }
        writes.push({ table: this.latest, key: id, value: undefined, undo: current ?? 'keep' });
        mirror.latest.push([deleted.id, null]);
      } else {
        const version = entry ? entry.version : deleted.version;
        writes.push({ table: this.latest, key: id, value: latestEntry(version, DELETED), undo: current ?? 'remove' });
        mirror.latest.push([deleted.id, { version, deleted: true }]);
      }
    }
    writes.push({ table: this.executed, key: digestKey, value: encodeExecuted(sequence, batch.effects, batch.events), undo: 'remove' });
    writes.push({ table: this.executedOrder, key: u64Bytes(sequence), value: digestKey, undo: 'remove' });
    // The epoch's marker: what retention prunes below is the record, never this.
    writes.push({ table: this.executedInEpoch, key: digestKey, value: u64Bytes(batch.effects.epoch), undo: 'remove' });
    if (batch.effects.epoch > this.markedEpoch) this.dropMarkersBelow(batch.effects.epoch, writes);
    const oldest = this.retentionWrites(sequence, writes);
    // Executed: no longer pending (Sui removes it from the epoch's pending table). Last, so never undone.
    writes.push({ table: this.pending, key: digestKey, value: undefined, undo: 'keep' });
    return { absent: { table: this.executed, key: digestKey }, writes, mirror, oldest };
  }

  /**
   * Drop the oldest executed records past `executedTransactions`, once on disk
   * (one still on its way is dropped by a later batch). Returns the oldest
   * sequence kept.
   */
  private retentionWrites(sequence: number, writes: TableWrite[]): number {
    let oldest = this.oldestSequence;
    for (; sequence + 1 - oldest > this.executedTransactions; oldest++) {
      if (this.staged.hasSequence(oldest)) break;
      const orderKey = u64Bytes(oldest);
      const digestKey = this.executedOrder.getBinary(orderKey);
      if (!digestKey) continue; // a batch that failed left a gap
      writes.push({ table: this.executed, key: digestKey, value: undefined, undo: this.executed.getBinary(digestKey) ?? 'keep' });
      writes.push({ table: this.executedOrder, key: orderKey, value: undefined, undo: digestKey });
    }
    return oldest;
  }

  /**
   * The first batch of a newer epoch drops the older epochs' markers: the
   * state stages it only once it switched epochs, and from then on refuses a
   * certificate of an older epoch (wrong epoch), so none can run again.
   */
  private dropMarkersBelow(epoch: number, writes: TableWrite[]): void {
    for (const { key, value } of this.executedInEpoch.getRange({})) {
      if (u64Of(value) < epoch) writes.push({ table: this.executedInEpoch, key, value: undefined, undo: value });
    }
    this.markedEpoch = epoch;
  }

  /** Whether a batch of this transaction is staged or on disk. */
  private wasCommitted(transactionDigest: Digest): boolean {
    return this.staged.executedRecord(transactionDigest) !== undefined || this.committedOnDisk(idBytes(transactionDigest));
  }

  /** Whether a batch of this transaction is on disk: its record, or (pruned) its marker of the epoch. */
  private committedOnDisk(digestKey: Buffer): boolean {
    return this.executed.doesExist(digestKey) || this.executedInEpoch.doesExist(digestKey);
  }

  /** Keep the newest `versionsPerObject` versions of `id`, the one being written included. */
  private pruneWrites(id: ObjectId, written: number, writes: TableWrite[], mirror: DiskChanges): void {
    const older = Array.from(this.objects.getRange({ start: objectKey(id, 0), end: objectKey(id, written) }));
    const excess = older.length + 1 - this.versionsPerObject;
    for (let i = 0; i < excess; i++) {
      const { key, value } = older[i] as { key: Buffer; value: Buffer };
      writes.push({ table: this.objects, key, value: undefined, undo: value });
      mirror.pruned.push([id, u64Of(key, 32)]);
    }
  }

  /** A batch is on disk: what it wrote is read from memory from now on, what it pruned no more. */
  private mirrorLanded({ batch, mirror }: QueuedBatch): void {
    for (const object of batch.written) this.landed.landedObject(object);
    for (const [id, entry] of mirror.latest) this.landed.setLatest(id, entry);
    for (const [id, version] of mirror.pruned) this.landed.pruned(id, version);
  }

  /** The disk's latest-version entry of `id` (`null`: none), from memory if known. */
  private latestOnDisk(id: ObjectId): LatestEntry | null {
    const known = this.landed.latestEntry(id);
    if (known !== undefined) return known;
    const key = idBytes(id);
    const bytes = this.latest.getBinaryFast(key);
    const entry = bytes ? readRecord(this.path, 'latest', key, bytes, latestEntryOf) : null;
    this.landed.setLatest(id, entry);
    return entry;
  }

  private latestOf(id: ObjectId): StoredObject | undefined {
    const staged = this.staged.latestOf(id);
    if (staged) return staged.deleted ? undefined : (this.staged.object(id, staged.version) ?? this.readVersion(id, staged.version));
    const entry = this.latestOnDisk(id);
    return entry && !entry.deleted ? this.readVersion(id, entry.version) : undefined;
  }

  private readVersion(id: ObjectId, version: number): StoredObject | undefined {
    const landed = this.landed.object(id, version);
    if (landed) return landed;
    // The fast read's buffer is reused by the next read: decoding copies every field out first.
    const key = objectKey(id, version);
    const bytes = this.objects.getBinaryFast(key);
    if (!bytes) return undefined;
    return frozenObject(
      readRecord(this.path, 'objects', key, bytes, (record) => {
        const object = decodeStoredObject(record);
        sameKey('object version', `${hexOf(key.subarray(0, 32))}@${version}`, `${object.id}@${object.version}`);
        return object;
      }),
    );
  }

  private refuseIfClosed(): void {
    if (this.closed) throw new StoreClosedError(this.path);
  }

  /** A read's answer, or its error as a rejection: a read never throws synchronously. */
  private answer<T>(read: () => T): Promise<T> {
    try {
      this.refuseIfClosed();
      return Promise.resolve(read());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private async storeError(error: unknown): Promise<Error> {
    if (error instanceof StoreConflictError) return error;
    // lmdb-js rejects a failed commit with 'Commit failed' and the system error in a second promise.
    const commitError = (error as { commitError?: Promise<unknown> } | undefined)?.commitError;
    const cause = commitError ? await commitError.then(() => error, (inner: unknown) => inner) : error;
    const code = (cause as { code?: unknown } | undefined)?.code;
    const text = cause instanceof Error ? cause.message : String(cause);
    if (code === 28 || code === 5 || code === 'ENOSPC' || code === -30792 || /MDB_MAP_FULL|ENOSPC|No space left|Input\/output error/i.test(text)) {
      return new StoreFullError(this.path, { cause });
    }
    return cause instanceof Error ? cause : new Error(text);
  }
}

/** An object version as a set member. */
function versionKey(id: ObjectId, version: number): string {
  return `${id}@${version}`;
}

/** A latest-version entry as {@link latestEntry} wrote it: 9 bytes, its last one LIVE or DELETED. */
function latestEntryOf(bytes: Uint8Array): LatestEntry {
  const state = exactLength(bytes, 9)[8];
  if (state !== LIVE && state !== DELETED) throw new RangeError(`its state byte is ${state}, neither live nor deleted`);
  return { version: u64Of(bytes), deleted: state === DELETED };
}

/**
 * lmdb-js ends each event turn's write batch with a write of its own whose
 * promise (the turn's commit) no caller holds when every write of the turn
 * is conditional (a commit batch): when that commit fails (a full disk) the
 * promise rejects unhandled, and Node ends the process. Each caller holds
 * its own write's promise and gets the typed error; this one is held here.
 * lmdb-js calls `beforecommit` in the task that makes that write; the
 * microtask after it reads the turn's commit promise (`committed`).
 */
function holdTurnCommits(root: RootDatabase<Buffer, string>): void {
  const held = (): void => undefined;
  root.on('beforecommit', () => {
    queueMicrotask(() => {
      // Its own then, now: Promise.resolve would call it a microtask later, when a new turn's writes may have begun.
      void root.committed.then(undefined, held);
    });
  });
}

function latestEntry(version: number, state: number): Buffer {
  const entry = Buffer.allocUnsafe(9);
  u64Bytes(version).copy(entry);
  entry[8] = state;
  return entry;
}

/** Stamp a new database with the format, or check an existing one's. */
function adoptFormat(root: RootDatabase<Buffer, string>, path: string): void {
  const stamp = root.get(FORMAT_KEY);
  if (stamp === undefined) {
    const keys = Array.from(root.getKeys({ limit: 1 }));
    if (keys.length > 0) throw new StoreOpenError('foreign', path, `an LMDB database without this validator's format stamp (it holds ${JSON.stringify(keys[0])})`);
    root.putSync(FORMAT_KEY, u64Bytes(LMDB_FORMAT_VERSION));
    return;
  }
  const format = stamp.length === 8 ? u64Of(stamp) : Number.NaN;
  if (Number.isNaN(format)) throw new StoreOpenError('corrupt', path, 'its format stamp is unreadable');
  if (format > LMDB_FORMAT_VERSION) {
    throw new StoreOpenError('newer-format', path, `format ${format} was written by a newer version; this one reads up to format ${LMDB_FORMAT_VERSION}`);
  }
  if (format < LMDB_FORMAT_VERSION) {
    throw new StoreOpenError('older-format', path, `format ${format} was written by an older version (ed25519 certificates); this one reads format ${LMDB_FORMAT_VERSION} only`);
  }
}

function frozenObject(object: StoredObject): StoredObject {
  Object.freeze(object.owner);
  Object.freeze(object.contents);
  return Object.freeze(object);
}

function frozenRecord(record: { effects: ExecutedRecord['effects']; events: TransactionEvent[] }): ExecutedRecord {
  return Object.freeze({ effects: record.effects, events: record.events });
}
