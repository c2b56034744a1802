import type { SequencedCommit } from '../manager/transaction-manager';
import type { DurableObjectStore } from '../storage/durable-store';
import type { ProcessedCommit } from '../storage/lmdb-epoch-tables';

interface Queued {
  readonly commit: ProcessedCommit;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Persists sequenced consensus commits (the TransactionManager's
 * `onSequenced`), one write at a time: the commits sequenced while one write
 * is on its way to disk go in the next one, together. So commits are not
 * held to one per disk flush, and each write starts only once the one
 * before it landed: after a failed write (a full disk) nothing later lands,
 * and no commit on disk depends on versions a lost one assigned. From that
 * failure on, every call rejects with it.
 */
export class SequencedCommitWriter {
  private readonly queued: (Queued & { readonly epoch: number | undefined })[] = [];
  private writing = false;
  private failure: Error | undefined;
  /** The latest epoch about to be recorded: a commit of an earlier one issued after it would land in the new epoch's tables. */
  private recordedEpoch = Number.NEGATIVE_INFINITY;
  /** The write on its way to disk, if any. */
  private landing: Promise<void> | undefined;

  constructor(private readonly store: DurableObjectStore) {}

  /**
   * Call before issuing `recordEpoch(epoch)`, and issue it once this
   * resolves: from now on a commit sequenced in an earlier epoch is written
   * without its sequencing (pending records, next versions, claims), which
   * belong to no running epoch (its certificates are handed back or refused
   * as of the wrong epoch), only with its index and certificates, to
   * recognise a redelivery. Resolves once the write already on its way has
   * landed (whether it failed is that write's callers' to report), so the
   * record sees, and drops, the versions and claims it wrote.
   */
  epochRecorded(epoch: number): Promise<void> {
    if (epoch > this.recordedEpoch) this.recordedEpoch = epoch;
    return this.landing ?? Promise.resolve();
  }

  /** Resolves once `sequenced` is on disk. */
  write({ commit, epoch, held, nextSharedVersions, claims = [] }: SequencedCommit): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      const at = { digest: commit.digest, index: commit.index };
      this.queued.push({
        commit: {
          commit: { index: commit.index, digest: commit.digest, certificates: commit.certificates.map((c) => c.digest) },
          sequenced: held.map(({ certificate, shared }) => ({ certificate, commit: at, shared })),
          next: nextSharedVersions,
          claims,
        },
        epoch,
        resolve,
        reject,
      });
      if (!this.writing) this.flush();
    });
  }

  private flush(): void {
    const group = this.queued.splice(0);
    this.writing = true;
    let written: Promise<void>;
    try {
      written = this.store.epochTables.recordCommits(group.map(({ commit, epoch }) => (epoch !== undefined && epoch < this.recordedEpoch ? withoutSequencing(commit) : commit)));
    } catch (error) {
      // Encoding or reading before the write can throw (a closed database): the same as a failed write.
      written = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.landing = written.then(
      () => undefined,
      () => undefined,
    );
    written.then(
      () => {
        this.landing = undefined;
        this.writing = false;
        for (const queued of group) queued.resolve();
        if (this.queued.length > 0) this.flush();
      },
      (error: unknown) => {
        this.landing = undefined;
        this.writing = false;
        const failure = error instanceof Error ? error : new Error(String(error));
        this.failure = failure;
        for (const queued of [...group, ...this.queued.splice(0)]) queued.reject(failure);
      },
    );
  }
}

/** A commit of an epoch that ended: its index and certificates only. */
function withoutSequencing(commit: ProcessedCommit): ProcessedCommit {
  return { commit: commit.commit, sequenced: [], next: new Map(), claims: [] };
}
