import type { Database, RootDatabase } from 'lmdb';
import type { Digest, ObjectId } from '../model/objects';
import type { OwnedClaim } from '../execution/reference-epoch-store';
import type { TableWrite } from './lmdb-writes';
import { exactLength, readRecord, sameKey, u64Record } from './record-reads';
import {
  type CommitRecord,
  type CommitteeRecord,
  type PendingRecord,
  decodeCommit,
  decodeCommittee,
  decodePending,
  encodeCommit,
  encodeCommittee,
  encodePending,
  hexOf,
  idBytes,
  objectKey,
  u64Bytes,
  u64Of,
} from './record-encoding';

const LAST_COMMIT_KEY = 'last-commit-index';
const COMMITTEE_KEY = 'committee';
/** Commits remembered to recognise a redelivery, as the TransactionManager remembers them. */
const REMEMBERED_COMMITS = 1_024;

/** A committee as persisted: its epoch and members, with their BLS public keys and proofs of possession. */
export type PersistedCommittee = CommitteeRecord;

/** The file and tables the epoch tables live in (all in the store's one LMDB file). */
export interface EpochTableFiles {
  /** The database file, as errors name it. */
  readonly path: string;
  readonly root: RootDatabase<Buffer, string>;
  readonly pending: Database<Buffer, Buffer>;
  readonly commits: Database<Buffer, Buffer>;
  readonly nextShared: Database<Buffer, Buffer>;
  readonly claims: Database<Buffer, Buffer>;
}

/** A processed consensus commit, as {@link LmdbEpochTables.recordCommits} records it. */
export interface ProcessedCommit {
  readonly commit: { readonly index: number } & CommitRecord;
  /** The certificates it sequenced (not executed yet), with their assigned shared versions. */
  readonly sequenced: readonly PendingRecord[];
  /** Each shared object's next version, once it was sequenced. */
  readonly next: ReadonlyMap<ObjectId, number>;
  /** Owned object versions its certificates claimed (`ReferenceEpochStore.claimOwned`); default none. */
  readonly claims?: readonly OwnedClaim[];
}

/**
 * What Sui keeps in its per-epoch tables, so a restart loses nothing:
 * certificates accepted and not executed yet (with the commit that ordered
 * them and the shared versions it assigned), the consensus commits processed
 * (the last index, and the recent commits' certificates to recognise a
 * redelivery), each shared object's next version, the owned object versions
 * sequenced certificates claimed, and the epoch's committee. An executed
 * certificate leaves the pending table in its commit batch. Claims stay for
 * the epoch (on disk; a restart keeps in memory only those on live versions):
 * dropping one when its version is spent would be a write ordered against the
 * spending batch, which lands later (see `LmdbObjectStore.issue`).
 */
export class LmdbEpochTables {
  private readonly path: string;
  private readonly root: RootDatabase<Buffer, string>;
  private readonly pending: Database<Buffer, Buffer>;
  private readonly commits: Database<Buffer, Buffer>;
  private readonly nextShared: Database<Buffer, Buffer>;
  private readonly claims: Database<Buffer, Buffer>;

  /** @internal Built by `LmdbObjectStore`, which owns the file, the write order and its closing. */
  constructor(
    files: EpochTableFiles,
    private readonly issue: (writes: readonly TableWrite[]) => Promise<void>,
    /** Throws the store's StoreClosedError once it is closed. */
    private readonly refuseIfClosed: () => void,
  ) {
    ({ path: this.path, root: this.root, pending: this.pending, commits: this.commits, nextShared: this.nextShared, claims: this.claims } = files);
  }

  /**
   * The last consensus commit index processed, if any.
   * @throws StoreCorruptError for a damaged record (so do the reads below); StoreClosedError once closed.
   */
  lastCommitIndex(): number | undefined {
    this.refuseIfClosed();
    const bytes = this.root.get(LAST_COMMIT_KEY);
    return bytes ? readRecord(this.path, 'main', LAST_COMMIT_KEY, bytes, u64Record) : undefined;
  }

  /** A processed commit, if it is among the recent ones. */
  commit(index: number): CommitRecord | undefined {
    this.refuseIfClosed();
    const key = u64Bytes(index);
    const bytes = this.commits.getBinary(key);
    return bytes ? readRecord(this.path, 'commits', key, bytes, decodeCommit) : undefined;
  }

  /**
   * Every certificate accepted and not executed, in no particular order.
   * Each is checked as the door checks one (its digest is its transaction's),
   * and against its key: a record rewritten with another certificate (even a
   * well-formed one) is damage, never a certificate to execute.
   */
  pendingCertificates(): PendingRecord[] {
    this.refuseIfClosed();
    const records: PendingRecord[] = [];
    for (const { key, value } of this.pending.getRange({})) {
      records.push(
        readRecord(this.path, 'pending', key, value, (bytes) => {
          const record = decodePending(bytes);
          sameKey('certificate', hexOf(key), record.certificate.digest);
          return record;
        }),
      );
    }
    return records;
  }

  /** How many certificates are pending. */
  pendingCount(): number {
    this.refuseIfClosed();
    return (this.pending.getStats() as { entryCount: number }).entryCount;
  }

  /** Each shared object's next version, as the last processed commit left it. */
  nextSharedVersions(): Map<ObjectId, number> {
    this.refuseIfClosed();
    const next = new Map<ObjectId, number>();
    for (const { key, value } of this.nextShared.getRange({})) {
      next.set(readRecord(this.path, 'next-shared', key, key, (bytes) => hexOf(exactLength(bytes, 32))), readRecord(this.path, 'next-shared', key, value, u64Record));
    }
    return next;
  }

  /** The owned-version claims of the epoch's sequenced certificates, in no particular order. */
  ownedClaims(): OwnedClaim[] {
    this.refuseIfClosed();
    const claims: OwnedClaim[] = [];
    for (const { key, value } of this.claims.getRange({})) {
      claims.push(
        readRecord(this.path, 'owned-claims', key, value, (bytes) => {
          exactLength(key, 40);
          return { id: hexOf(key.subarray(0, 32)), version: u64Of(key, 32), transaction: hexOf(exactLength(bytes, 32)) };
        }),
      );
    }
    return claims;
  }

  /** The committee of the current epoch, if one was recorded. */
  committee(): PersistedCommittee | undefined {
    this.refuseIfClosed();
    const bytes = this.root.get(COMMITTEE_KEY);
    return bytes ? readRecord(this.path, 'main', COMMITTEE_KEY, bytes, decodeCommittee) : undefined;
  }

  /** Record certificates accepted outside consensus (owned inputs). Resolves once on disk. */
  recordAccepted(records: readonly PendingRecord[]): Promise<void> {
    return this.written(() => records.map((record) => this.pendingWrite(record)));
  }

  /**
   * Record a processed consensus commit in one transaction: its index and
   * certificates, the certificates it sequenced with their assigned shared
   * versions, and the shared objects' next versions. Resolves once on disk.
   */
  recordCommit(commit: { readonly index: number } & CommitRecord, sequenced: readonly PendingRecord[], next: ReadonlyMap<ObjectId, number>): Promise<void> {
    return this.recordCommits([{ commit, sequenced, next }]);
  }

  /**
   * Record several processed commits, in index order, in one transaction
   * (what `recordCommit` records for each; the shared objects' next versions
   * as the last one left them). Resolves once on disk.
   */
  recordCommits(commits: readonly ProcessedCommit[]): Promise<void> {
    return this.written(() => this.commitWrites(commits));
  }

  private commitWrites(commits: readonly ProcessedCommit[]): TableWrite[] {
    const writes: TableWrite[] = [];
    const next = new Map<ObjectId, number>();
    let lastIndex = -1;
    for (const { commit, sequenced, next: after, claims = [] } of commits) {
      for (const record of sequenced) writes.push(this.pendingWrite(record, 'restore'));
      for (const claim of claims) {
        const key = objectKey(claim.id, claim.version);
        writes.push({ table: this.claims, key, value: idBytes(claim.transaction), undo: this.claims.getBinary(key) ?? 'remove' });
      }
      for (const [id, version] of after) next.set(id, version);
      const indexKey = u64Bytes(commit.index);
      writes.push({ table: this.commits, key: indexKey, value: Buffer.from(encodeCommit(commit)), undo: this.commits.getBinary(indexKey) ?? 'remove' });
      if (commit.index >= REMEMBERED_COMMITS) {
        const oldKey = u64Bytes(commit.index - REMEMBERED_COMMITS);
        writes.push({ table: this.commits, key: oldKey, value: undefined, undo: this.commits.getBinary(oldKey) ?? 'keep' });
      }
      lastIndex = Math.max(lastIndex, commit.index);
    }
    for (const [id, version] of next) {
      const key = idBytes(id);
      writes.push({ table: this.nextShared, key, value: u64Bytes(version), undo: this.nextShared.getBinary(key) ?? 'remove' });
    }
    const last = this.root.getBinary(LAST_COMMIT_KEY);
    if (lastIndex >= 0 && (!last || readRecord(this.path, 'main', LAST_COMMIT_KEY, last, u64Record) < lastIndex)) writes.push({ table: this.root, key: LAST_COMMIT_KEY, value: u64Bytes(lastIndex), undo: last ?? 'remove' });
    return writes;
  }

  /** Forget certificates no longer held (handed back to their submitter). */
  forget(digests: readonly Digest[]): Promise<void> {
    return this.written(() =>
      digests.map((digest) => {
        const key = idBytes(digest);
        return { table: this.pending, key, value: undefined, undo: this.pending.getBinary(key) ?? 'keep' };
      }),
    );
  }

  /**
   * Record the epoch's committee, and drop the sequencing of another epoch:
   * its claims and its shared objects' next versions (the new epoch's first
   * commit assigns from the store, as in memory). Pending certificates of
   * another epoch stay until handed back.
   */
  recordEpoch(committee: PersistedCommittee): Promise<void> {
    return this.written(() => this.epochWrites(committee));
  }

  private epochWrites(committee: PersistedCommittee): TableWrite[] {
    const writes: TableWrite[] = [{ table: this.root, key: COMMITTEE_KEY, value: Buffer.from(encodeCommittee(committee)), undo: this.root.getBinary(COMMITTEE_KEY) ?? 'remove' }];
    // The old epoch's pending records stay: they go once handed back (`forget`), and a restart before that hands
    // them back in its recovery report. Removed here, a crash before the hand-back lost them without a word.
    const recorded = this.root.getBinary(COMMITTEE_KEY);
    if (recorded && readRecord(this.path, 'main', COMMITTEE_KEY, recorded, decodeCommittee).epoch !== committee.epoch) {
      for (const { key, value } of this.claims.getRange({})) writes.push({ table: this.claims, key, value: undefined, undo: value });
      for (const { key, value } of this.nextShared.getRange({})) writes.push({ table: this.nextShared, key, value: undefined, undo: value });
    }
    return writes;
  }

  /** Issue the writes `build` makes; whatever it throws (a closed store, a damaged record it reads) is a rejection. */
  private written(build: () => TableWrite[]): Promise<void> {
    try {
      this.refuseIfClosed();
      return this.issue(build());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * An accepted certificate's pending record is the certificate itself:
   * writing it again is harmless, so it is not undone (`keep`). A sequenced
   * one also holds its assigned versions, and is undone with the commit.
   */
  private pendingWrite(record: PendingRecord, undo: 'keep' | 'restore' = 'keep'): TableWrite {
    const key = idBytes(record.certificate.digest);
    return { table: this.pending, key, value: encodePending(record), undo: undo === 'keep' ? 'keep' : (this.pending.getBinary(key) ?? 'remove') };
  }
}
