import { statSync } from 'node:fs';
import { type Database, type RootDatabase, open } from 'lmdb';
import type { TransactionEvent } from '../../authority-state';
import { InvalidOptionError } from '../../errors';
import type { Digest, ObjectId, StoredObject } from '../model/objects';
import { LmdbEpochTables } from './lmdb-epoch-tables';
import { checkDatabasePath } from './lmdb-file';
import type { CommitBatch, ExecutedRecord, InMemoryRetention, ObjectKey, ObjectStore } from './object-store';
import { StoreConflictError } from './object-store';
import { decodeExecuted, decodeStoredObject, encodeExecuted, encodeStoredObject, hexOf, idBytes, objectKey, u64Bytes, u64Of } from './record-encoding';
import { StoreFullError, StoreOpenError } from './store-errors';

/**
 * The on-disk format this package writes. A database of another one is
 * refused, never rewritten. Format 2: pending certificates and the committee
 * carry BLS12-381 quorum signatures and keys; format 1 held ed25519 ones.
 */
export const LMDB_FORMAT_VERSION = 2;
const FORMAT_KEY = 'soma-validator-format';

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
}

/** Latest-version index entry: the version, then 1 if the object is deleted. */
const LIVE = 0;
const DELETED = 1;

/**
 * The durable object store, on LMDB (lmdb-js). Objects, effects and events
 * are stored as their canonical BCS bytes; each commit batch (objects,
 * deletions, effects, events, executed marker, and the removal of the
 * certificate from the pending table) is one child transaction, so a
 * failure anywhere in it leaves no trace. Commits queued together share one
 * LMDB transaction and one fsync (group commit), and a commit's promise
 * resolves only once it is on disk: `overlappingSync` is off, because with it
 * lmdb-js resolves when a write is visible, before it is flushed.
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
  private readonly pending: Database<Buffer, Buffer>;
  private readonly versionsPerObject: number;
  private readonly executedTransactions: number;
  /** Sequence numbers of executed records: the next to write, and the oldest still kept. */
  private nextSequence: number;
  private oldestSequence: number;
  private closed = false;

  private constructor(
    /** The database file. */
    readonly path: string,
    private readonly root: RootDatabase<Buffer, string>,
    retention: InMemoryRetention,
  ) {
    this.versionsPerObject = retention.versionsPerObject ?? Number.POSITIVE_INFINITY;
    this.executedTransactions = retention.executedTransactions ?? Number.POSITIVE_INFINITY;
    const table = (name: string) => root.openDB<Buffer, Buffer>(name, { encoding: 'binary', keyEncoding: 'binary' });
    this.objects = table('objects');
    this.latest = table('latest');
    this.executed = table('executed');
    this.executedOrder = table('executed-order');
    this.pending = table('pending');
    this.epochTables = new LmdbEpochTables(root, this.pending, table('commits'), table('next-shared'), (callback) => this.write(callback));
    const last = Array.from(this.executedOrder.getKeys({ reverse: true, limit: 1 }))[0];
    const first = Array.from(this.executedOrder.getKeys({ limit: 1 }))[0];
    this.nextSequence = last ? u64Of(last) + 1 : 0;
    this.oldestSequence = first ? u64Of(first) : 0;
  }

  /**
   * Open (or create) the database at `options.path`.
   * @throws StoreOpenError `not-writable`, `corrupt`, `foreign`, `newer-format` or `older-format`, having changed nothing.
   * @throws InvalidOptionError for a retention below 1.
   */
  static open(options: LmdbObjectStoreOptions): LmdbObjectStore {
    const { path, mapSize = 16 * 1024 ** 3, sync = true, ...retention } = options;
    if (!((retention.versionsPerObject ?? 1) >= 1) || !((retention.executedTransactions ?? 1) >= 1)) {
      throw new InvalidOptionError('retention', retention, 'at least 1 version per object and 1 executed transaction');
    }
    checkDatabasePath(path);
    let root: RootDatabase<Buffer, string>;
    try {
      root = open<Buffer, string>({ path, mapSize, maxDbs: 16, encoding: 'binary', overlappingSync: false, noSync: !sync, cache: false });
    } catch (error) {
      throw new StoreOpenError('corrupt', path, `LMDB cannot open it (${(error as Error).message})`, { cause: error });
    }
    try {
      adoptFormat(root, path);
      return new LmdbObjectStore(path, root, retention);
    } catch (error) {
      void root.close();
      throw error;
    }
  }

  readObjects(keys: readonly ObjectKey[]): Promise<(StoredObject | undefined)[]> {
    return Promise.resolve(keys.map((key) => this.readVersion(key.id, key.version)));
  }

  readLatest(ids: readonly ObjectId[]): Promise<(StoredObject | undefined)[]> {
    return Promise.resolve(ids.map((id) => this.latestOf(id)));
  }

  readExecuted(transactionDigest: Digest): Promise<ExecutedRecord | undefined> {
    const bytes = this.executed.getBinary(idBytes(transactionDigest));
    if (!bytes) return Promise.resolve(undefined);
    return Promise.resolve(frozenRecord(decodeExecuted(bytes.subarray(8))));
  }

  /**
   * Write the batch in one child transaction, resolved once on disk.
   * @throws StoreConflictError (nothing written) for a transaction already committed or a version that exists.
   * @throws StoreFullError when the database is full; nothing of this batch (or of the commits grouped with it) is written.
   */
  commit(batch: CommitBatch): Promise<void> {
    const effectsBytes = encodeExecuted(batch.effects, batch.events); // encode before the write lock is held
    const objectBytes = batch.written.map(encodeStoredObject);
    return this.objects
      .childTransaction(() => {
        this.writeBatch(batch, effectsBytes, objectBytes);
      })
      .then(
        () => undefined,
        async (error: unknown) => {
          throw await this.storeError(error);
        },
      );
  }

  /** Every live object at its latest version, sorted by id: for comparing stores. */
  liveObjects(): StoredObject[] {
    const live: StoredObject[] = [];
    for (const { key, value } of this.latest.getRange({})) {
      if (value[8] === LIVE) live.push(this.readVersion(hexOf(key), u64Of(value)) as StoredObject);
    }
    return live;
  }

  /** Executed transactions recorded (within the retention). */
  executedCount(): number {
    return (this.executed.getStats() as { entryCount: number }).entryCount;
  }

  /** Object versions stored, every id and every version kept: an audit compares it with what the effects say was written. */
  objectVersionCount(): number {
    return (this.objects.getStats() as { entryCount: number }).entryCount;
  }

  /** The database file's size on disk, in bytes. */
  sizeOnDisk(): number {
    return statSync(this.path).size;
  }

  /** Wait for pending writes, then close. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.root.flushed;
    await this.root.close();
  }

  /** @internal A write the epoch tables or a test run in the store's write order. */
  write(callback: () => void): Promise<void> {
    return this.objects.childTransaction(callback).then(
      () => undefined,
      async (error: unknown) => {
        throw await this.storeError(error);
      },
    );
  }

  private writeBatch(batch: CommitBatch, effectsBytes: Uint8Array, objectBytes: readonly Uint8Array[]): void {
    const digestKey = idBytes(batch.transactionDigest);
    // Validate everything first (a refusal throws, and the child transaction rolls back anyway).
    if (this.executed.doesExist(digestKey)) throw new StoreConflictError(`transaction ${batch.transactionDigest} is already committed`);
    for (const object of batch.written) {
      if (this.objects.doesExist(objectKey(object.id, object.version))) {
        throw new StoreConflictError(`object ${object.id} version ${object.version} already exists`);
      }
    }
    const pruning = this.versionsPerObject !== Number.POSITIVE_INFINITY;
    batch.written.forEach((object, i) => {
      this.objects.putSync(objectKey(object.id, object.version), objectBytes[i] as Buffer);
      const id = idBytes(object.id);
      const current = this.latest.get(id);
      if (!current || u64Of(current) < object.version || current[8] === DELETED) this.latest.putSync(id, latestEntry(object.version, LIVE));
      if (pruning) this.prune(object.id, object.version);
    });
    for (const key of batch.deleted) {
      const id = idBytes(key.id);
      if (pruning) {
        // Pruning: a deleted object's history goes with it.
        for (const old of this.objects.getKeys({ start: objectKey(key.id, 0), end: objectKey(key.id, Number.MAX_SAFE_INTEGER) })) this.objects.removeSync(old);
        this.latest.removeSync(id);
      } else {
        const current = this.latest.get(id);
        this.latest.putSync(id, latestEntry(current ? u64Of(current) : key.version, DELETED));
      }
    }
    const sequence = this.nextSequence;
    this.executed.putSync(digestKey, Buffer.concat([u64Bytes(sequence), effectsBytes]));
    this.executedOrder.putSync(u64Bytes(sequence), digestKey);
    this.pending.removeSync(digestKey); // executed: no longer pending (Sui removes it from the epoch's pending table)
    this.nextSequence = sequence + 1;
    while (this.nextSequence - this.oldestSequence > this.executedTransactions) {
      const oldKey = u64Bytes(this.oldestSequence);
      const oldDigest = this.executedOrder.get(oldKey);
      if (oldDigest) this.executed.removeSync(oldDigest);
      this.executedOrder.removeSync(oldKey);
      this.oldestSequence++;
    }
  }

  /** Keep the newest `versionsPerObject` versions of `id`, the one just written included. */
  private prune(id: ObjectId, written: number): void {
    const keys = Array.from(this.objects.getKeys({ start: objectKey(id, 0), end: objectKey(id, written) }));
    const excess = keys.length + 1 - this.versionsPerObject;
    for (let i = 0; i < excess; i++) this.objects.removeSync(keys[i] as Buffer);
  }

  private latestOf(id: ObjectId): StoredObject | undefined {
    const entry = this.latest.getBinary(idBytes(id));
    return entry && entry[8] === LIVE ? this.readVersion(id, u64Of(entry)) : undefined;
  }

  private readVersion(id: ObjectId, version: number): StoredObject | undefined {
    const bytes = this.objects.getBinary(objectKey(id, version));
    return bytes ? frozenObject(decodeStoredObject(bytes)) : undefined;
  }

  private async storeError(error: unknown): Promise<Error> {
    // A rolled-back child transaction does not undo the in-memory sequence counters: re-read them.
    this.resyncSequences();
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

  private resyncSequences(): void {
    const last = Array.from(this.executedOrder.getKeys({ reverse: true, limit: 1 }))[0];
    const first = Array.from(this.executedOrder.getKeys({ limit: 1 }))[0];
    this.nextSequence = last ? u64Of(last) + 1 : 0;
    this.oldestSequence = first ? u64Of(first) : 0;
  }
}

function latestEntry(version: number, state: number): Buffer {
  const entry = Buffer.alloc(9);
  entry.writeBigUInt64BE(BigInt(version));
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
