import type { CertifiedTransaction } from '../certificates/certified-transaction';
import { CommitOrderError } from '../errors';

/** Commits remembered, to recognise a redelivery: a restart replays the last few, not thousands. */
const REMEMBERED_COMMITS = 1_024;

interface CommitLike {
  readonly digest: string;
  readonly index: number;
  readonly certificates: readonly CertifiedTransaction[];
}

/**
 * Checks that consensus commits arrive in index order. A commit whose index
 * is not above the last one is accepted only as a redelivery: the same index,
 * digest and certificates as a commit already seen. Keeps a reference to the
 * certificate list of the last {@link REMEMBERED_COMMITS} commits (no copy).
 */
export class CommitOrder {
  private lastIndex = Number.NEGATIVE_INFINITY;
  private readonly seen = new Map<number, CommitLike>();

  /**
   * Record `commit`, or recognise it as a redelivery (returns true).
   * @throws CommitOrderError when it goes back and is not a redelivery (nothing recorded).
   */
  check(commit: CommitLike): boolean {
    if (commit.index > this.lastIndex) {
      this.lastIndex = commit.index;
      this.seen.set(commit.index, commit);
      // A Map iterates in insertion order, and indexes only grow: the first is the oldest.
      if (this.seen.size > REMEMBERED_COMMITS) this.seen.delete(this.seen.keys().next().value as number);
      return false;
    }
    const earlier = this.seen.get(commit.index);
    if (!earlier) throw new CommitOrderError('went-back', commit.index, this.lastIndex);
    if (!sameCommit(earlier, commit)) throw new CommitOrderError('conflicting-redelivery', commit.index, this.lastIndex);
    return true;
  }
}

function sameCommit(a: CommitLike, b: CommitLike): boolean {
  if (a.digest !== b.digest || a.certificates.length !== b.certificates.length) return false;
  for (let i = 0; i < a.certificates.length; i++) {
    if ((a.certificates[i] as CertifiedTransaction).digest !== (b.certificates[i] as CertifiedTransaction).digest) return false;
  }
  return true;
}
