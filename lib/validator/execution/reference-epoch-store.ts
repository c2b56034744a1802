import type { EpochStore } from '../../authority-state';
import type { Committee } from '../certificates/committee';
import type { Digest, ObjectId, ObjectRef } from '../model/objects';
import type { TransactionData } from '../model/transactions';

/**
 * An owned object version (id and version) claimed at sequencing by the
 * first consensus certificate of the epoch that names it.
 */
export interface OwnedClaim {
  readonly id: ObjectId;
  readonly version: number;
  /** The claimant. */
  readonly transaction: Digest;
}

/**
 * The reference state's per-epoch context: the committee, the versions
 * consensus assigned to each transaction's shared inputs, and the owned-input
 * claims (all written by the TransactionManager when it processes a commit).
 *
 * **Claims** make the winner between two sequenced certificates naming one
 * owned version a function of consensus order, not of execution timing: the
 * first sequenced certificate that names an owned object version (id and
 * version, whatever the digest) claims it, cancelled or not; a later one
 * naming a claimed version is decided cancelled at sequencing
 * (`decideCancelled`), so it never waits for nor consumes its owned inputs.
 */
export class ReferenceEpochStore implements EpochStore {
  private readonly sharedVersions = new Map<Digest, ReadonlyMap<ObjectId, number>>();
  /** Claimed versions per object (usually one: the version consensus certificates name next). */
  private readonly claims = new Map<ObjectId, Map<number, Digest>>();
  /** Sequenced certificates decided cancelled and not executed yet. */
  private readonly cancelled = new Set<Digest>();
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

  /**
   * At sequencing, in commit order: `transaction` claims every one of `refs`
   * (owned inputs and gas coin) that no transaction claimed yet, and
   * `conflict` says whether another holds a claim on one of them (decide it
   * cancelled). A conflicting one claims the others all the same: whether a
   * claim it meets is still held depends on timing (it is dropped once its
   * version is spent), so what it claims must not; the version it met is
   * spent or claimed either way. Sequenced twice is no conflict with itself
   * (it made its claims the first time: `made` is then empty).
   */
  claimOwned(transaction: Digest, refs: readonly ObjectRef[]): { readonly conflict: boolean; readonly made: OwnedClaim[] } {
    let conflict = false;
    for (const ref of refs) {
      const holder = this.claims.get(ref.id)?.get(ref.version);
      if (holder !== undefined && holder !== transaction) conflict = true;
    }
    const made: OwnedClaim[] = [];
    for (const ref of refs) {
      let versions = this.claims.get(ref.id);
      if (versions === undefined) this.claims.set(ref.id, (versions = new Map<number, Digest>()));
      if (versions.has(ref.version)) continue; // its own (a repeated input, or sequenced again), or another's
      versions.set(ref.version, transaction);
      made.push({ id: ref.id, version: ref.version, transaction });
    }
    return { conflict, made };
  }

  /** Take back claims made before a restart. */
  restoreClaims(claims: readonly OwnedClaim[]): void {
    for (const { id, version, transaction } of claims) {
      let versions = this.claims.get(id);
      if (versions === undefined) this.claims.set(id, (versions = new Map<number, Digest>()));
      versions.set(version, transaction);
    }
  }

  /** Would `transaction` naming `refs` conflict with a claim of another? (What `claimOwned` checks, claiming nothing.) */
  conflicts(transaction: Digest, refs: readonly ObjectRef[]): boolean {
    for (const ref of refs) {
      const holder = this.claims.get(ref.id)?.get(ref.version);
      if (holder !== undefined && holder !== transaction) return true;
    }
    return false;
  }

  /**
   * `id` was written at `version` (or deleted: `Infinity`): every claim on a
   * version below it is dropped. Dropping is still deterministic: versions
   * only grow, so a claimed version below one written is spent for good, and
   * a later certificate naming it is cancelled by unavailability instead, on
   * every validator, with the same effects (one cancellation code for both).
   * A claim is not dropped when its claimant executes: executed as cancelled,
   * the claimant spends nothing, and the version stays live, so dropping then
   * would let a later certificate spend it on a validator that executed the
   * claimant before sequencing it, and not on one that did not.
   */
  releaseClaimsBelow(id: ObjectId, version: number): void {
    const versions = this.claims.get(id);
    if (versions === undefined) return;
    for (const claimed of versions.keys()) if (claimed < version) versions.delete(claimed);
    if (versions.size === 0) this.claims.delete(id);
  }

  /** Claims held, counted per claimed version (memory follows claims on live versions). */
  get claimCount(): number {
    let count = 0;
    for (const versions of this.claims.values()) count += versions.size;
    return count;
  }

  /** Every claim held (a durable pipeline persists those made; this is for checks). */
  claimsHeld(): OwnedClaim[] {
    const all: OwnedClaim[] = [];
    for (const [id, versions] of this.claims) for (const [version, transaction] of versions) all.push({ id, version, transaction });
    return all;
  }

  /** Decide a sequenced `transaction` cancelled: it executes as cancelled, without reading its owned inputs. */
  decideCancelled(transaction: Digest): void {
    this.cancelled.add(transaction);
  }

  /** Was `transaction` decided cancelled (and not executed yet)? */
  isDecidedCancelled(transaction: Digest): boolean {
    return this.cancelled.has(transaction);
  }

  /** Forget the assignments (and cancellation decision) of an executed transaction. */
  release(transaction: Digest): void {
    this.sharedVersions.delete(transaction);
    this.cancelled.delete(transaction);
  }

  /** @internal The state calls this when it reconfigures. */
  end(): void {
    this.ended = true;
  }
}

/** A certificate's owned object references, gas coin included: what it claims at sequencing. */
export function ownedRefsOf(data: TransactionData): ObjectRef[] {
  const refs: ObjectRef[] = [];
  for (const input of data.inputs) if (input.kind === 'owned') refs.push(input.ref);
  refs.push(data.gas.payment);
  return refs;
}
