import { Subject, type Observable } from 'rxjs';
import type { AuthorityState, EpochStore, ExecutionProgress, ExecutionResult } from '../../authority-state';
import type { Certificate } from '../../certificate';
import type { Committee } from '../certificates/committee';
import type { CertifiedTransaction } from '../certificates/certified-transaction';
import { EffectsPrunedError, EpochEndedError, InputMismatchError, InputSpentError, MissingInputError, NotACertifiedTransactionError } from '../errors';
import { executeCancelled } from './cancelled-execution';
import { type ExecutionOutput, type LoadedInputs, executeTransaction } from './execute-transaction';
import { isCommitted } from '../storage/executed-check';
import { type ObjectKey, type ObjectStore, StoreConflictError } from '../storage/object-store';
import type { ObjectId, ObjectRef, StoredObject } from '../model/objects';
import { ReferenceEpochStore } from './reference-epoch-store';

/** A committed transaction's outputs, as the state announces them. */
export interface CommittedOutputs {
  readonly certificate: CertifiedTransaction;
  /** Object versions that now exist (created and mutated). */
  readonly written: readonly ObjectRef[];
  /**
   * Objects deleted (no version of them will be written again): the
   * TransactionManager ends every wait on them. Optional for states written
   * before it existed; without it, a wait on a deleted object ends only by its
   * age limit.
   */
  readonly deleted?: readonly ObjectKey[];
  readonly output: ExecutionOutput;
}

/**
 * A reference AuthorityState: executes certified transactions against a
 * versioned ObjectStore and commits objects, effects and the executed marker
 * in one atomic batch. Executing a digest twice returns the stored effects
 * and changes nothing (or, its effects pruned by the store's retention,
 * fails with `EffectsPrunedError`).
 */
export class ReferenceAuthorityState implements AuthorityState {
  private epochStore: ReferenceEpochStore;
  private readonly committedSubject = new Subject<CommittedOutputs>();
  private inFlight = 0;
  private idle: (() => void)[] = [];
  private reconfiguring: Promise<void> | undefined;

  /**
   * Every commit, as it happens (with a staging store, once staged, before it
   * is durable; the execution's outcome waits for the disk): the
   * TransactionManager marks these outputs available.
   */
  readonly committed$: Observable<CommittedOutputs> = this.committedSubject.asObservable();

  constructor(
    readonly store: ObjectStore,
    committee: Committee,
  ) {
    this.epochStore = new ReferenceEpochStore(committee);
  }

  loadEpochStoreOneCallPerTask(): ReferenceEpochStore {
    return this.epochStore;
  }

  isTxAlreadyExecuted(digest: string): Promise<boolean> {
    // Committed, whether or not retention kept its effects.
    return isCommitted(this.store, digest);
  }

  async tryExecuteImmediately(
    certificate: Certificate,
    _commitDigest: string | undefined,
    _commitIndex: number | undefined,
    epochStore: EpochStore,
    signal?: AbortSignal,
    progress?: ExecutionProgress,
  ): Promise<ExecutionResult> {
    const cert = certificate as Partial<CertifiedTransaction>;
    if (cert.data === undefined) throw new NotACertifiedTransactionError(`certificate ${certificate.digest} carries no transaction data`);
    const tx = cert as CertifiedTransaction;
    if (this.reconfiguring) await this.reconfiguring;
    const store = epochStore as ReferenceEpochStore;
    if (!(store instanceof ReferenceEpochStore) || !store.isCurrent || store.epoch !== tx.epoch) {
      throw new EpochEndedError(`epoch ${epochStore.epoch} has ended; certificate ${tx.digest} is of epoch ${tx.epoch}`);
    }
    this.inFlight++;
    try {
      // Its marker of the epoch, which retention never prunes (one read for what has not executed, the common case);
      // committed, its effects are read, if retention kept them: never executed again.
      if (await isCommitted(this.store, tx.digest)) {
        const stored = await this.store.readExecuted(tx.digest);
        if (stored) return { effects: stored.effects, events: stored.events };
        throw new EffectsPrunedError(tx.digest);
      }
      // Decided cancelled at sequencing (it names an owned version an earlier sequenced certificate claimed): its owned inputs are not read.
      const inputs = store.isDecidedCancelled(tx.digest) ? await this.loadSharedOnly(tx, store) : await this.loadInputs(tx, store);
      // A sequenced certificate whose owned input can never be read as named is executed as cancelled.
      const output =
        'unavailable' in inputs
          ? executeCancelled(tx.data, tx.digest, tx.epoch, inputs.shared as ReadonlyMap<ObjectId, StoredObject>, 'input-unavailable')
          : executeTransaction(tx.data, tx.digest, tx.epoch, inputs);
      signal?.throwIfAborted(); // aborted before commit: nothing is written
      const batch = { transactionDigest: tx.digest, effects: output.effects, events: output.events, written: output.written, deleted: output.deleted };
      let durable: Promise<void> | undefined;
      try {
        // A staging store makes the outputs readable now, and durable later.
        if (this.store.stage) durable = this.store.stage(batch);
        else await this.store.commit(batch);
      } catch (error) {
        // A concurrent copy committed first: same transaction, same effects.
        const winner = error instanceof StoreConflictError ? await this.store.readExecuted(tx.digest) : undefined;
        if (winner) return { effects: winner.effects, events: winner.events };
        // Executed before, its effects pruned since: the store refused it, and it is not executed again.
        if (error instanceof StoreConflictError && (await isCommitted(this.store, tx.digest))) throw new EffectsPrunedError(tx.digest);
        throw error;
      }
      store.release(tx.digest);
      // The written objects are their own references (id, version, digest): no copies.
      this.committedSubject.next({ certificate: tx, written: output.written, deleted: output.deleted, output });
      if (durable) {
        // Staged and announced: the driver may give the slot to another certificate while this one waits for the disk.
        progress?.staged();
        // Executed once durable: a batch that fails to land fails what read its outputs too.
        await durable;
      }
      return { effects: output.effects, events: output.events };
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /**
   * Move to `committee`'s epoch: wait for in-flight executions to finish, then
   * switch. Executions that start meanwhile wait; certificates of the old
   * epoch are refused from then on.
   */
  async reconfigure(committee: Committee): Promise<void> {
    if (committee.epoch <= this.epochStore.epoch) {
      throw new EpochEndedError(`cannot reconfigure from epoch ${this.epochStore.epoch} to epoch ${committee.epoch}`);
    }
    const switched = (async () => {
      if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
      this.epochStore.end();
      this.epochStore = new ReferenceEpochStore(committee);
    })();
    this.reconfiguring = switched;
    try {
      await switched;
    } finally {
      this.reconfiguring = undefined;
    }
  }

  /**
   * The inputs of a certificate decided cancelled at sequencing: its shared
   * ones at their assigned versions, nothing else (a cancelled execution
   * writes only those). The same code as any cancellation: whether a
   * certificate is cancelled by a claim or by finding its input spent (after
   * the claim was dropped, see `ReferenceEpochStore.releaseClaimsBelow`)
   * depends on timing, and its effects must not.
   */
  private async loadSharedOnly(tx: CertifiedTransaction, epochStore: ReferenceEpochStore): Promise<Unavailable> {
    const keys: ObjectKey[] = [];
    for (const input of tx.data.inputs) {
      if (input.kind !== 'shared') continue;
      const version = epochStore.sharedVersion(tx.digest, input.id);
      if (version === undefined) throw new MissingInputError(`shared input ${input.id} of ${tx.digest} has no assigned version yet`);
      keys.push({ id: input.id, version });
    }
    const found = keys.length === 0 ? NOTHING_READ : await this.store.readObjects(keys);
    const shared = new Map<ObjectId, StoredObject>();
    keys.forEach((key, i) => {
      const object = found[i];
      if (!object) throw new MissingInputError(`input ${key.id} version ${key.version} of ${tx.digest} is not available`);
      shared.set(object.id, object);
    });
    return { unavailable: 'claimed', ref: tx.data.gas.payment, found: undefined, shared };
  }

  /**
   * Read the inputs: shared ones at their assigned versions, immutable ones at
   * theirs, and owned ones and the gas coin at their latest version, which must
   * be the one named: a version below the latest, or of a deleted object, is
   * spent, and a digest not the named one is another object's. Either can never
   * become available: a sequenced certificate is then executed as cancelled,
   * one submitted directly fails (`InputSpentError`, `InputMismatchError`). A
   * version not created yet is a `MissingInputError` (transient).
   */
  private async loadInputs(tx: CertifiedTransaction, epochStore: ReferenceEpochStore): Promise<LoadedInputs | Unavailable> {
    const { inputs, gas } = tx.data;
    const exactKeys: ObjectKey[] = [];
    const ownedRefs: ObjectRef[] = [];
    let sequenced = false;
    for (const input of inputs) {
      if (input.kind === 'owned') ownedRefs.push(input.ref);
      else if (input.kind === 'immutable') exactKeys.push(input.ref);
      else {
        sequenced = true;
        const version = epochStore.sharedVersion(tx.digest, input.id);
        if (version === undefined) throw new MissingInputError(`shared input ${input.id} of ${tx.digest} has no assigned version yet`);
        exactKeys.push({ id: input.id, version });
      }
    }
    ownedRefs.push(gas.payment);
    // An owned-only certificate makes one read; one with shared inputs makes two.
    const ids: ObjectId[] = [];
    for (const ref of ownedRefs) ids.push(ref.id);
    // One read after the other: a store answers each at once, and Promise.all costs more than the second await.
    const latest = await this.store.readLatest(ids);
    const exact = exactKeys.length === 0 ? NOTHING_READ : await this.store.readObjects(exactKeys);
    const objects = new Map<ObjectId, StoredObject>();
    let unavailable: Unavailable | undefined;
    // exact[i] is exactKeys[i]'s: an immutable one must carry the digest the certificate names.
    let e = 0;
    for (const input of inputs) {
      if (input.kind === 'owned') continue;
      const key = exactKeys[e] as ObjectKey;
      const object = exact[e++];
      if (!object) throw new MissingInputError(`input ${key.id} version ${key.version} of ${tx.digest} is not available`);
      if (input.kind === 'immutable' && object.digest !== input.ref.digest) {
        unavailable ??= { unavailable: 'mismatch', ref: input.ref, found: object.version };
      }
      objects.set(object.id, object);
    }
    let gasCoin: StoredObject | undefined;
    for (let i = 0; i < ownedRefs.length; i++) {
      const ref = ownedRefs[i] as ObjectRef;
      const object = latest[i];
      if (object === undefined) {
        // Deleted (spent), or not created yet: only the version itself tells.
        const [atVersion] = await this.store.readObjects([ref]);
        if (!atVersion) throw new MissingInputError(`input ${ref.id} version ${ref.version} of ${tx.digest} is not available`);
        unavailable ??= { unavailable: 'spent', ref, found: undefined };
        continue;
      }
      if (object.version < ref.version) throw new MissingInputError(`input ${ref.id} version ${ref.version} of ${tx.digest} is not available`);
      if (object.version > ref.version) unavailable ??= { unavailable: 'spent', ref, found: object.version };
      else if (object.digest !== ref.digest) unavailable ??= { unavailable: 'mismatch', ref, found: object.version };
      if (i === ownedRefs.length - 1) gasCoin = object;
      else objects.set(object.id, object);
    }
    if (unavailable) {
      if (sequenced) return { ...unavailable, shared: objects };
      if (unavailable.unavailable === 'spent') throw new InputSpentError(tx.digest, unavailable.ref.id, unavailable.ref.version, unavailable.found);
      throw new InputMismatchError(`input ${unavailable.ref.id} version ${unavailable.ref.version} of ${tx.digest} has another digest than the certificate names`);
    }
    return { objects, gasCoin: gasCoin as StoredObject };
  }
}

/** No exact reads (owned inputs only): nothing to wait for. */
const NOTHING_READ: readonly (StoredObject | undefined)[] = Object.freeze([]);

/** An input that can never be read as named: what makes a sequenced certificate cancelled. */
interface Unavailable {
  /** `claimed`: decided cancelled at sequencing, another sequenced certificate claimed an owned input first. */
  readonly unavailable: 'spent' | 'mismatch' | 'claimed';
  readonly ref: ObjectRef;
  /** The version found, if any. */
  readonly found: number | undefined;
  /** Shared (and immutable) inputs as read: a cancelled execution writes the mutable shared ones. */
  readonly shared?: ReadonlyMap<ObjectId, StoredObject>;
}
