import type { Database, RootDatabase } from 'lmdb';
import type { Digest, ObjectId } from '../model/objects';
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
  u64Bytes,
  u64Of,
} from './record-encoding';

const LAST_COMMIT_KEY = 'last-commit-index';
const COMMITTEE_KEY = 'committee';
/** Commits remembered to recognise a redelivery, as the TransactionManager remembers them. */
const REMEMBERED_COMMITS = 1_024;

/** A committee as persisted: its epoch and members, with their BLS public keys and proofs of possession. */
export type PersistedCommittee = CommitteeRecord;

/**
 * What Sui keeps in its per-epoch tables, so a restart loses nothing:
 * certificates accepted and not executed yet (with the commit that ordered
 * them and the shared versions it assigned), the consensus commits processed
 * (the last index, and the recent commits' certificates to recognise a
 * redelivery), each shared object's next version, and the epoch's committee.
 * An executed certificate leaves the pending table in its commit batch.
 */
export class LmdbEpochTables {
  /** @internal Built by `LmdbObjectStore`, which owns the file and the write order. */
  constructor(
    private readonly root: RootDatabase<Buffer, string>,
    private readonly pending: Database<Buffer, Buffer>,
    private readonly commits: Database<Buffer, Buffer>,
    private readonly nextShared: Database<Buffer, Buffer>,
    private readonly write: (callback: () => void) => Promise<void>,
  ) {}

  /** The last consensus commit index processed, if any. */
  lastCommitIndex(): number | undefined {
    const bytes = this.root.get(LAST_COMMIT_KEY);
    return bytes ? u64Of(bytes) : undefined;
  }

  /** A processed commit, if it is among the recent ones. */
  commit(index: number): CommitRecord | undefined {
    const bytes = this.commits.getBinary(u64Bytes(index));
    return bytes ? decodeCommit(bytes) : undefined;
  }

  /** Every certificate accepted and not executed, in no particular order. */
  pendingCertificates(): PendingRecord[] {
    return Array.from(this.pending.getRange({}), ({ value }) => decodePending(value));
  }

  /** How many certificates are pending. */
  pendingCount(): number {
    return (this.pending.getStats() as { entryCount: number }).entryCount;
  }

  /** Each shared object's next version, as the last processed commit left it. */
  nextSharedVersions(): Map<ObjectId, number> {
    const next = new Map<ObjectId, number>();
    for (const { key, value } of this.nextShared.getRange({})) next.set(hexOf(key), u64Of(value));
    return next;
  }

  /** The committee of the current epoch, if one was recorded. */
  committee(): PersistedCommittee | undefined {
    const bytes = this.root.get(COMMITTEE_KEY);
    return bytes ? decodeCommittee(bytes) : undefined;
  }

  /** Record certificates accepted outside consensus (owned inputs). Resolves once on disk. */
  recordAccepted(records: readonly PendingRecord[]): Promise<void> {
    const encoded = records.map((record) => [idBytes(record.certificate.digest), encodePending(record)] as const);
    return this.write(() => {
      for (const [key, value] of encoded) this.pending.putSync(key, value as Buffer);
    });
  }

  /**
   * Record a processed consensus commit in one transaction: its index and
   * certificates, the certificates it sequenced with their assigned shared
   * versions, and the shared objects' next versions. Resolves once on disk.
   */
  recordCommit(commit: { readonly index: number } & CommitRecord, sequenced: readonly PendingRecord[], next: ReadonlyMap<ObjectId, number>): Promise<void> {
    const encoded = sequenced.map((record) => [idBytes(record.certificate.digest), encodePending(record)] as const);
    const commitBytes = encodeCommit(commit);
    return this.write(() => {
      for (const [key, value] of encoded) this.pending.putSync(key, value as Buffer);
      for (const [id, version] of next) this.nextShared.putSync(idBytes(id), u64Bytes(version));
      this.commits.putSync(u64Bytes(commit.index), commitBytes as Buffer);
      if (commit.index >= REMEMBERED_COMMITS) this.commits.removeSync(u64Bytes(commit.index - REMEMBERED_COMMITS));
      const last = this.root.get(LAST_COMMIT_KEY);
      if (!last || u64Of(last) < commit.index) this.root.putSync(LAST_COMMIT_KEY, u64Bytes(commit.index));
    });
  }

  /** Forget certificates no longer held (handed back to their submitter). */
  forget(digests: readonly Digest[]): Promise<void> {
    return this.write(() => {
      for (const digest of digests) this.pending.removeSync(idBytes(digest));
    });
  }

  /** Record the epoch's committee, and drop pending certificates of other epochs (they can no longer execute). */
  recordEpoch(committee: PersistedCommittee): Promise<void> {
    const bytes = encodeCommittee(committee);
    const stale = this.pendingCertificates()
      .filter((record) => record.certificate.epoch !== committee.epoch)
      .map((record) => idBytes(record.certificate.digest));
    return this.write(() => {
      this.root.putSync(COMMITTEE_KEY, bytes as Buffer);
      for (const key of stale) this.pending.removeSync(key);
    });
  }
}
