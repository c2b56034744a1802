import type { EpochStore } from '../../authority-state';
import type { Committee } from '../certificates/committee';
import type { Digest, ObjectId } from '../model/objects';

/**
 * The reference state's per-epoch context: the committee, and the versions
 * consensus assigned to each transaction's shared inputs (written by the
 * TransactionManager when it processes a commit).
 */
export class ReferenceEpochStore implements EpochStore {
  private readonly sharedVersions = new Map<Digest, ReadonlyMap<ObjectId, number>>();
  private ended = false;

  constructor(readonly committee: Committee) {}

  get epoch(): number {
    return this.committee.epoch;
  }

  /** False once the state has moved to a later epoch. */
  get isCurrent(): boolean {
    return !this.ended;
  }

  /** Record the shared-input versions consensus assigned to `transaction`. */
  assignSharedVersions(transaction: Digest, versions: ReadonlyMap<ObjectId, number>): void {
    this.sharedVersions.set(transaction, versions);
  }

  /** The version assigned to shared input `id` of `transaction`, if any. */
  sharedVersion(transaction: Digest, id: ObjectId): number | undefined {
    return this.sharedVersions.get(transaction)?.get(id);
  }

  /** Every assignment of `transaction`, if consensus has ordered it and it has not executed yet. */
  sharedVersionsOf(transaction: Digest): ReadonlyMap<ObjectId, number> | undefined {
    return this.sharedVersions.get(transaction);
  }

  /** Forget the assignments of an executed transaction. */
  release(transaction: Digest): void {
    this.sharedVersions.delete(transaction);
  }

  /** @internal The state calls this when it reconfigures. */
  end(): void {
    this.ended = true;
  }
}
