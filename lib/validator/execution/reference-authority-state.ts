import { Subject, type Observable } from 'rxjs';
import type { AuthorityState, EpochStore, ExecutionResult } from '../../authority-state';
import type { Certificate } from '../../certificate';
import type { Committee } from '../certificates/committee';
import type { CertifiedTransaction } from '../certificates/certified-transaction';
import { EpochEndedError, InputMismatchError, MissingInputError, NotACertifiedTransactionError } from '../errors';
import { type ExecutionOutput, executeTransaction } from './execute-transaction';
import { type ObjectKey, type ObjectStore, StoreConflictError } from '../storage/object-store';
import type { ObjectId, ObjectRef, StoredObject } from '../model/objects';
import { ReferenceEpochStore } from './reference-epoch-store';

/** A committed transaction's outputs, as the state announces them. */
export interface CommittedOutputs {
  readonly certificate: CertifiedTransaction;
  /** Object versions that now exist (created and mutated). */
  readonly written: readonly ObjectRef[];
  readonly output: ExecutionOutput;
}

/**
 * A reference AuthorityState: executes certified transactions against a
 * versioned ObjectStore and commits objects, effects and the executed marker
 * in one atomic batch. Executing a digest twice returns the stored effects
 * and changes nothing.
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
    return this.store.readExecuted(digest).then((record) => record !== undefined);
  }

  async tryExecuteImmediately(
    certificate: Certificate,
    _commitDigest: string | undefined,
    _commitIndex: number | undefined,
    epochStore: EpochStore,
    signal?: AbortSignal,
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
      const stored = await this.store.readExecuted(tx.digest);
      if (stored) return { effects: stored.effects, events: stored.events };
      const inputs = await this.loadInputs(tx, store);
      const output = executeTransaction(tx.data, tx.digest, tx.epoch, inputs);
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
        throw error;
      }
      store.release(tx.digest);
      // The written objects are their own references (id, version, digest): no copies.
      this.committedSubject.next({ certificate: tx, written: output.written, output });
      // Executed once durable: a batch that fails to land fails what read its outputs too.
      await durable;
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

  private async loadInputs(tx: CertifiedTransaction, epochStore: ReferenceEpochStore): Promise<{ objects: Map<ObjectId, StoredObject>; gasCoin: StoredObject }> {
    const { inputs, gas } = tx.data;
    const keys: ObjectKey[] = [];
    for (const input of inputs) {
      if (input.kind !== 'shared') keys.push(input.ref);
      else {
        const version = epochStore.sharedVersion(tx.digest, input.id);
        if (version === undefined) throw new MissingInputError(`shared input ${input.id} of ${tx.digest} has no assigned version yet`);
        keys.push({ id: input.id, version });
      }
    }
    keys.push(gas.payment);
    const found = await this.store.readObjects(keys);
    const objects = new Map<ObjectId, StoredObject>();
    // keys[i] is inputs[i]'s, and the last one the gas coin's: owned ones must match the digest the certificate names.
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as ObjectKey;
      const object = found[i];
      if (!object) throw new MissingInputError(`input ${key.id} version ${key.version} of ${tx.digest} is not available`);
      const input = inputs[i];
      const named = input === undefined ? gas.payment.digest : input.kind === 'shared' ? undefined : input.ref.digest;
      if (named !== undefined && named !== object.digest) {
        throw new InputMismatchError(`input ${key.id} version ${key.version} has digest ${object.digest}, the certificate names ${named}`);
      }
      if (input !== undefined) objects.set(object.id, object);
    }
    return { objects, gasCoin: found[keys.length - 1] as StoredObject };
  }
}
