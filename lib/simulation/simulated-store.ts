import type { Digest, ObjectId, StoredObject } from '../validator/model/objects';
import type { OwnedClaim } from '../validator/execution/reference-epoch-store';
import type { ChainRecord, DurableObjectStore, EpochTables } from '../validator/storage/durable-store';
import type { PersistedCommittee, ProcessedCommit } from '../validator/storage/lmdb-epoch-tables';
import type { CommitBatch, ExecutedRecord, ObjectKey } from '../validator/storage/object-store';
import type { CommitRecord, PendingRecord } from '../validator/storage/record-encoding';
import type { StoreOperation } from './errors';
import type { SimulatedDisk } from './simulated-disk';
import type { TimeScope } from './simulation-clock';

/** How the store behaves at the moment: latencies drawn per operation, and the fault (if any) an operation meets when it completes. */
export interface StoreConditions {
  /** ms until a read answers. */
  readLatency(): number;
  /** ms a write takes once it is its turn (writes complete in the order they were issued, as LMDB's). */
  writeLatency(): number;
  /** The error this operation fails with now, or undefined. */
  fault(operation: StoreOperation): Error | undefined;
  /**
   * `call`: a read sees the disk as it was when called (LMDB reads at once);
   * `completion`: as it is when it answers. Both are allowed by the port.
   */
  readonly readAt: 'call' | 'completion';
}

/**
 * One process's handle on the {@link SimulatedDisk}: the `DurableObjectStore`
 * port, every operation taking virtual time on the process's scope. Writes
 * (commit batches and epoch-table records) complete one after the other in
 * issue order and are applied, atomically, when they complete; a write that
 * meets a fault applies nothing. When the process's scope is killed (a
 * crash), what has not completed never will: it is lost, and its promise
 * never settles.
 */
export class SimulatedStore implements DurableObjectStore {
  readonly path = 'simulated-disk';
  readonly epochTables: EpochTables;
  private writesDoneAt = 0;

  constructor(
    private readonly disk: SimulatedDisk,
    private readonly scope: TimeScope,
    private readonly conditions: StoreConditions,
  ) {
    this.epochTables = new SimulatedEpochTables(disk, (apply) => this.write('epoch-tables', apply));
  }

  readObjects(keys: readonly ObjectKey[]): Promise<(StoredObject | undefined)[]> {
    const copied = keys.map(({ id, version }) => ({ id, version }));
    return this.read('readObjects', () => copied.map((key) => this.disk.readObject(key)));
  }

  readLatest(ids: readonly ObjectId[]): Promise<(StoredObject | undefined)[]> {
    const copied = [...ids];
    return this.read('readLatest', () => copied.map((id) => this.disk.readLatest(id)));
  }

  readExecuted(transactionDigest: Digest): Promise<ExecutedRecord | undefined> {
    return this.read('readExecuted', () => this.disk.readExecuted(transactionDigest));
  }

  commit(batch: CommitBatch): Promise<void> {
    return this.write('commit', () => {
      this.disk.applyBatch(batch);
    });
  }

  chain(): ChainRecord | undefined {
    return this.disk.chain();
  }

  /** An epoch-table write, as the LMDB store's (one of the writes a start makes). */
  recordChain(chain: ChainRecord): Promise<void> {
    const copied = { genesisDigest: chain.genesisDigest, genesisEpoch: chain.genesisEpoch };
    return this.write('epoch-tables', () => {
      this.disk.applyChain(copied);
    });
  }

  isEmpty(): boolean {
    return this.disk.isEmpty();
  }

  /** Nothing is staged here: a commit resolves once on the simulated disk, and reads see only the disk. */
  whenOnDisk(): Promise<void> {
    return Promise.resolve();
  }

  liveObjects(): StoredObject[] {
    return this.disk.liveObjects();
  }

  /** Resolves once every write issued so far has completed. */
  close(): Promise<void> {
    return this.scope.sleep(Math.max(0, this.writesDoneAt - this.scope.now()));
  }

  private read<T>(operation: StoreOperation, read: () => T): Promise<T> {
    const early = this.conditions.readAt === 'call' ? { value: read() } : undefined;
    return new Promise((resolve, reject) => {
      this.scope.after(this.conditions.readLatency(), () => {
        const fault = this.conditions.fault(operation);
        if (fault) reject(fault);
        else resolve(early ? early.value : read());
      });
    });
  }

  private write(operation: StoreOperation, apply: () => void): Promise<void> {
    const now = this.scope.now();
    const doneAt = Math.max(this.writesDoneAt, now + this.conditions.writeLatency());
    this.writesDoneAt = doneAt;
    return new Promise((resolve, reject) => {
      this.scope.after(doneAt - now, () => {
        const fault = this.conditions.fault(operation);
        if (fault) {
          reject(fault);
          return;
        }
        try {
          apply();
          resolve();
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }
}

/** The epoch tables on the simulated disk: reads are synchronous (as LMDB's), writes go through the store's write order. Arguments are copied at the call, as LMDB encodes them then. */
class SimulatedEpochTables implements EpochTables {
  constructor(
    private readonly disk: SimulatedDisk,
    private readonly write: (apply: () => void) => Promise<void>,
  ) {}

  lastCommitIndex(): number | undefined {
    return this.disk.lastCommitIndex();
  }

  commit(index: number): CommitRecord | undefined {
    return this.disk.commitRecord(index);
  }

  pendingCertificates(): PendingRecord[] {
    return this.disk.pendingRecords();
  }

  pendingCount(): number {
    return this.disk.pendingCount;
  }

  nextSharedVersions(): Map<ObjectId, number> {
    return this.disk.nextSharedVersions();
  }

  committee(): PersistedCommittee | undefined {
    return this.disk.committee();
  }

  ownedClaims(): OwnedClaim[] {
    return this.disk.ownedClaims();
  }

  recordAccepted(records: readonly PendingRecord[]): Promise<void> {
    const copied = records.map(copyRecord);
    return this.write(() => {
      this.disk.applyAccepted(copied);
    });
  }

  recordCommit(commit: { readonly index: number } & CommitRecord, sequenced: readonly PendingRecord[], next: ReadonlyMap<ObjectId, number>): Promise<void> {
    const record = { index: commit.index, digest: commit.digest, certificates: [...commit.certificates] };
    const copied = sequenced.map(copyRecord);
    const versions = new Map(next);
    return this.write(() => {
      this.disk.applyCommit(record, copied, versions);
    });
  }

  recordCommits(commits: readonly ProcessedCommit[]): Promise<void> {
    const copied = commits.map(({ commit, sequenced, next, claims = [] }) => ({
      record: { index: commit.index, digest: commit.digest, certificates: [...commit.certificates] },
      sequenced: sequenced.map(copyRecord),
      next: new Map(next),
      claims: claims.map((claim) => ({ ...claim })),
    }));
    // One write, as LMDB's one transaction: all of them land or none.
    return this.write(() => {
      for (const { record, sequenced, next, claims } of copied) this.disk.applyCommit(record, sequenced, next, claims);
    });
  }

  forget(digests: readonly Digest[]): Promise<void> {
    const copied = [...digests];
    return this.write(() => {
      this.disk.applyForget(copied);
    });
  }

  recordEpoch(committee: PersistedCommittee): Promise<void> {
    const record = { epoch: committee.epoch, validators: [...committee.validators] };
    // As the LMDB tables: the old epoch's pending records stay until handed back.
    return this.write(() => {
      this.disk.applyEpoch(record);
    });
  }
}

function copyRecord(record: PendingRecord): PendingRecord {
  return { certificate: record.certificate, commit: record.commit && { ...record.commit }, shared: new Map(record.shared) };
}
