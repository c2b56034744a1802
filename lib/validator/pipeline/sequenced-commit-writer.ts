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
  private readonly queued: Queued[] = [];
  private writing = false;
  private failure: Error | undefined;

  constructor(private readonly store: DurableObjectStore) {}

  /** Resolves once `sequenced` is on disk. */
  write({ commit, held, nextSharedVersions, claims = [] }: SequencedCommit): Promise<void> {
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
      written = this.store.epochTables.recordCommits(group.map((queued) => queued.commit));
    } catch (error) {
      // Encoding or reading before the write can throw (a closed database): the same as a failed write.
      written = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    written.then(
      () => {
        this.writing = false;
        for (const queued of group) queued.resolve();
        if (this.queued.length > 0) this.flush();
      },
      (error: unknown) => {
        this.writing = false;
        const failure = error instanceof Error ? error : new Error(String(error));
        this.failure = failure;
        for (const queued of [...group, ...this.queued.splice(0)]) queued.reject(failure);
      },
    );
  }
}
