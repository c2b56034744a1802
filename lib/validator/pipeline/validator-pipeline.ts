import { type Observable, type SchedulerLike, type Subscription, isObservable } from 'rxjs';
import type { AuthorityState } from '../../authority-state';
import type { PendingCertificate } from '../../certificate';
import { ExecutionDriver, type ExecutionDriverHandle, type StopOptions } from '../../execution-driver';
import { InvalidOptionError } from '../../errors';
import { createDefaultLogger } from '../../logging';
import type { ExecuteCertificatesOptions } from '../../options';
import type { ExecutionOutcome, RunSummary } from '../../outcomes';
import { MAX_DELAY_MS } from '../../timer-limit';
import { DriverPause } from './driver-pause';
import { checkedGenesis } from './genesis-check';
import { canonicalCertificate } from '../certificates/canonical-certificate';
import { certificateList, commitFields } from './certificate-arguments';
import type { CertifiedTransaction } from '../certificates/certified-transaction';
import type { Committee } from '../certificates/committee';
import { digestsReady } from '../model/digests';
import { CommitOrderError, ConsensusRequiredError, InputMismatchError, InputSpentError, InvalidCertificateError, OverloadedError, PipelineStoppedError } from '../errors';
import { InMemoryObjectStore, type ObjectStore } from '../storage/object-store';
import type { StoredObject } from '../model/objects';
import { ReferenceAuthorityState } from '../execution/reference-authority-state';
import type { ReferenceEpochStore } from '../execution/reference-epoch-store';
import type { DurableObjectStore } from '../storage/durable-store';
import type { PersistedCommittee } from '../storage/lmdb-epoch-tables';
import {
  type AdmissionLimits,
  type ConsensusCommit,
  DEFAULT_ADMISSION_LIMITS,
  type EnqueueResult,
  type HandedBackCertificate,
  TransactionManager,
  type TransactionManagerState,
} from '../manager/transaction-manager';
import type { TransactionManagerMetrics } from '../manager/transaction-manager-metrics';
import { checkedAdmissionLimits } from '../manager/admission-limits-check';
import { LmdbObjectStore } from '../storage/lmdb-object-store';
import { StoreCorruptError, StoreFullError } from '../storage/store-errors';
import { PipelineSignatureVerifier, type PipelineVerificationOptions, type PipelineVerificationStats } from './signature-verification';
import { type RecoveryReport, adoptDatabase, adoptGenesis, persistAccepted, persistSequenced, recoverPending, redelivered } from './durable-state';

/**
 * What the pipeline needs of its state: the driver's `AuthorityState` port,
 * what the TransactionManager reads (the store, the commits, the epoch store
 * with its shared-version assignments), and reconfiguration.
 * `ReferenceAuthorityState` is one; `createState` plugs in another.
 */
export interface PipelineAuthorityState extends AuthorityState, TransactionManagerState {
  loadEpochStoreOneCallPerTask(): ReferenceEpochStore;
  /** Move to `committee`'s epoch once in-flight executions have finished. */
  reconfigure(committee: Committee): Promise<void>;
}

/**
 * A durable pipeline's default `maxStagedExecutions`: executions whose commit
 * is staged (visible, announced) and not yet on disk may wait for their
 * group's flush without holding a driver slot, up to this many; their outcome
 * still waits for the disk. In memory there is nothing to wait for (0).
 */
export const DURABLE_MAX_STAGED_EXECUTIONS = 1_024;

/** Options of {@link startValidatorPipeline}. */
export interface ValidatorPipelineOptions<S extends PipelineAuthorityState = ReferenceAuthorityState> extends Omit<ExecuteCertificatesOptions, 'authorityState'> {
  readonly committee: Committee;
  /**
   * Objects that exist before any transaction (written at start). Checked
   * first, before any database opens: canonical ids, no id twice, versions,
   * owners, u64 amounts, and each object's digest its own; an
   * `InvalidOptionError` names the object and field (`genesis[3].digest`).
   */
  readonly genesis: readonly StoredObject[];
  /** Default: a fresh `InMemoryObjectStore` (or, with `database`, that database). */
  readonly store?: ObjectStore;
  /**
   * Run durable: a database path (opened, and closed by `stop`) or an open
   * `LmdbObjectStore` (or another {@link DurableObjectStore}, as the
   * simulator's in-memory disk). Executed transactions, accepted
   * certificates, the consensus commits processed with the shared versions
   * they assigned, and the epoch's committee survive a crash; on start the
   * pipeline recovers them (see `recovered`). Not with `store`.
   */
  readonly database?: string | DurableObjectStore;
  /**
   * Build the state the pipeline runs on, over its store and the committee it
   * starts in (the recorded one, when a durable pipeline resumes a later
   * epoch). Default: a `ReferenceAuthorityState`. What it returns is checked
   * (its methods, store and `committed$`): an `InvalidOptionError` otherwise.
   */
  readonly createState?: (store: ObjectStore, committee: Committee) => S;
  /**
   * Called once, with the pipeline wired and before a durable one recovers:
   * subscribe here to see every release, outcome and hand-back, those of the
   * recovered work included (it is released during the start, before the
   * returned promise resolves). `recovered` is not known yet.
   */
  readonly onWired?: (pipeline: ValidatorPipeline<S>) => void;
  /**
   * The TransactionManager's admission limits, checked before anything opens
   * (`InvalidOptionError`, see `TransactionManagerOptions.limits`).
   */
  readonly limits?: AdmissionLimits;
  /** TransactionManager metrics (prefix `transaction_manager_`). */
  readonly managerMetrics?: TransactionManagerMetrics;
  /**
   * Check every certificate's aggregate quorum signature on the way in
   * (default true), on a pool of worker threads (see `verification`): this
   * thread runs the door (canonical bytes, digest, epoch, bitmap, stake) and
   * no curve arithmetic. `false`: the door only (pre-verified certificates,
   * the simulator); no thread is started.
   */
  readonly verifySignatures?: boolean;
  /**
   * Where signatures are verified: a pool shared by several pipelines, or the
   * size of the pipeline's own (default one worker per core, started at the
   * first certificate and closed by `stop`), the batch window and the bound
   * on certificates being verified.
   */
  readonly verification?: PipelineVerificationOptions;
}

/**
 * What `ValidatorPipeline.stop` resolves with: the driver's summary (whose
 * `unstarted` are the certificates released to the driver and never started)
 * and what the TransactionManager still held. Together they are every
 * certificate accepted and neither executed nor given an outcome.
 */
export interface ValidatorRunSummary extends RunSummary {
  /**
   * Certificates the TransactionManager held at the stop: waiting for inputs,
   * or with inputs available and not released. Handed back, not dropped:
   * persist them, or resubmit them to a new pipeline (those with a `commit`
   * through a consensus commit).
   */
  readonly heldByManager: readonly PendingCertificate[];
}

/** A running validator execution pipeline: state, TransactionManager and ExecutionDriver. */
export interface ValidatorPipeline<S extends PipelineAuthorityState = ReferenceAuthorityState> {
  /** A `ReferenceAuthorityState`, unless `createState` built another. */
  readonly state: S;
  /** What a durable pipeline recovered from its database at start (`undefined` in memory). */
  readonly recovered: RecoveryReport | undefined;
  /** The durable store, when running with `database`. */
  readonly database: DurableObjectStore | undefined;
  readonly manager: TransactionManager;
  /**
   * The pipeline's driver, live (pause, limits, snapshots). Its `stop` stops
   * the whole pipeline, as `stop` does (its summary has `heldByManager` too):
   * a driver stopped alone would leave the manager accepting certificates
   * nobody executes. (The pipeline's certificates carry no expected
   * effects digest, so its driver never halts on a fork by itself.)
   */
  readonly driver: ExecutionDriverHandle;
  /** Every execution outcome. */
  readonly outcomes$: Observable<ExecutionOutcome>;
  /**
   * Certificates accepted earlier and handed back by admission control
   * (waiting too long, or past the budget, for objects that do not exist yet):
   * resubmit them. Also logged with the digest, and counted in
   * `transaction_manager_handed_back_total`.
   */
  readonly handedBack$: Observable<HandedBackCertificate>;
  /** What signature verification has done so far (its pool's figures included); `undefined` without `verifySignatures`. */
  verificationStats(): PipelineVerificationStats | undefined;
  /**
   * Verify and enqueue certificates of owned objects. A call is accepted
   * whole or refused whole: its refusal is that of its first bad certificate
   * in order (the door's, else its signature's), and nothing of it is enqueued.
   * @throws InvalidCertificateError (nothing enqueued; `malformed` if the argument is not an array), OverloadedError
   * (`pending-verification`: the verifier is full, retry), VerifierCrashedError or VerifierClosedError (a
   * certificate could not be verified: not a forgery, retry), ConsensusRequiredError, PipelineStoppedError (once `stop`
   * has been called, also for a call still being verified; nothing kept)
   */
  submit(certificates: readonly unknown[]): Promise<EnqueueResult[]>;
  /**
   * Verify and order a consensus commit of shared-object certificates.
   * Commits reach the manager in the order of the calls, however long each
   * one's verification takes.
   * @throws InvalidCertificateError (nothing ordered; `malformed` if the commit is not `{ digest, index, certificates }`),
   * CommitOrderError (an index going back that is not a redelivery; `after-failed-commit` after a commit refused
   * for a reason that is not its certificates' own, an OverloadedError or a VerifierCrashedError, until that one is
   * delivered again), as `submit` for verification, PipelineStoppedError
   */
  commit(commit: { digest: string; index: number; certificates: readonly unknown[] }): Promise<EnqueueResult[]>;
  /**
   * Move to the next epoch once in-flight executions have finished. Resolves
   * with the certificates of the old epoch the pipeline still held and had
   * not started: waiting for inputs in the manager, then released to the
   * driver and waiting for a slot (taken back from its backlog). They can no
   * longer execute, and are handed back rather than dropped (a durable
   * pipeline forgets their pending records); none of them gets an outcome.
   */
  reconfigure(committee: Committee): Promise<CertifiedTransaction[]>;
  /**
   * Stop: from the call on, `submit` and `commit` refuse with
   * `PipelineStoppedError`. The manager releases nothing more, the driver stops
   * (see `ExecutionDriverHandle.stop`), in-flight calls settle, and the summary
   * hands back what the driver never started (`unstarted`) and what the manager
   * still held (`heldByManager`). A second call returns the same summary
   * (`mode: 'abort'` escalates a drain).
   */
  stop(options?: StopOptions): Promise<ValidatorRunSummary>;
}

/**
 * Build the whole pipeline in one call: write genesis into the store, create
 * the reference state, the TransactionManager and the driver, wire the
 * manager's ready certificates into the driver and the driver's outcomes
 * back to the manager, and start.
 *
 * With a `scheduler`, the whole pipeline keeps its time there: the driver's
 * timings and retries, the manager's queue ages and the awaiting-creation
 * sweep (virtual time under the simulator or a `TestScheduler`).
 *
 * For throughput, start Node with `--max-semi-space-size=64`: the pipeline
 * allocates about 17 kB per transaction, and a larger young generation
 * takes it from about 25,000 to 31,000 transactions per second here, at the
 * price of longer young-generation pauses (README, validator benchmark).
 */
export async function startValidatorPipeline<S extends PipelineAuthorityState = ReferenceAuthorityState>(options: ValidatorPipelineOptions<S>): Promise<ValidatorPipeline<S>> {
  const { committee: givenCommittee, genesis: givenGenesis, limits, managerMetrics, verifySignatures = true, verification, database, createState, onWired, ...given } = options;
  // Durable: an execution waiting for its group's disk flush gives its slot up (up to a bound), unless told otherwise.
  const driverOptions = database !== undefined && given.maxStagedExecutions === undefined ? { ...given, maxStagedExecutions: DURABLE_MAX_STAGED_EXECUTIONS } : given;
  delete (driverOptions as { store?: unknown }).store;
  // Checked before anything opens.
  const admissionLimits = checkedAdmissionLimits(limits, DEFAULT_ADMISSION_LIMITS);
  // Full-speed digests before the genesis check (one digest per object: 5,000 took 145 ms on the JavaScript fallback).
  await digestsReady();
  const genesis = checkedGenesis(givenGenesis);
  // Checked before anything opens; it starts no thread until the first certificate.
  const verifier = verifySignatures ? new PipelineSignatureVerifier(verification ?? {}, () => state.loadEpochStoreOneCallPerTask().committee) : undefined;
  const durable = typeof database === 'string' ? LmdbObjectStore.open({ path: database }) : database;
  const ownsDatabase = typeof database === 'string';
  const store = durable ?? options.store ?? new InMemoryObjectStore();
  const backlog = { size: () => 0 };
  let manager: TransactionManager;
  const sequencedWrites = durable ? persistSequenced(durable) : undefined;
  let state: S;
  let committee: Committee;
  try {
    if (durable) committee = await adoptDatabase(durable, genesis, givenCommittee);
    else {
      await adoptGenesis(store, genesis, givenCommittee.epoch, 'the object store');
      committee = givenCommittee;
    }
    // Without `createState`, S is its default, ReferenceAuthorityState.
    state = createState ? checkedState(createState(store, committee)) : (new ReferenceAuthorityState(store, committee) as unknown as S);
    const { scheduler } = driverOptions;
    manager = new TransactionManager(state, {
      // Queue ages on the driver's clock: virtual time when a scheduler is injected.
      ...(scheduler ? { now: () => scheduler.now() } : {}),
      limits: admissionLimits,
      ...(managerMetrics ? { metrics: managerMetrics } : {}),
      ...(sequencedWrites ? { onSequenced: sequencedWrites.write } : {}),
      readyBacklog: () => backlog.size(),
      logger: driverOptions.logger ?? createDefaultLogger(),
    });
  } catch (error) {
    if (ownsDatabase) await durable?.close();
    throw error;
  }
  const recovery: { report: RecoveryReport | undefined } = { report: undefined };
  const pipeline = wire(state, manager, backlog, durable, ownsDatabase, recovery, { limits: admissionLimits, verifier, driverOptions, recordEpoch: sequencedWrites?.recordEpoch });
  onWired?.(pipeline);
  if (durable) {
    try {
      // Only once the driver listens: what the restore releases at once must reach it (released earlier, it was lost).
      recovery.report = await recoverPending(durable, manager, state.loadEpochStoreOneCallPerTask().epoch);
    } catch (error) {
      await pipeline.stop({ mode: 'abort' }).catch(() => undefined);
      throw error;
    }
  }
  return pipeline;
}

interface WireOptions {
  readonly limits: Required<AdmissionLimits>;
  /** `undefined`: signatures are not checked. */
  readonly verifier: PipelineSignatureVerifier | undefined;
  readonly driverOptions: Omit<ExecuteCertificatesOptions, 'authorityState'>;
  /** Durable: records a new epoch after the old one's sequenced commits (see `persistSequenced`). */
  readonly recordEpoch: ((committee: PersistedCommittee) => Promise<void>) | undefined;
}

function wire<S extends PipelineAuthorityState>(
  state: S,
  manager: TransactionManager,
  backlog: { size: () => number },
  durable: DurableObjectStore | undefined,
  ownsDatabase: boolean,
  recovery: { readonly report: RecoveryReport | undefined },
  { limits, verifier, driverOptions, recordEpoch }: WireOptions,
): ValidatorPipeline<S> {
  const driver = new ExecutionDriver({ ...driverOptions, readyCertificates: manager.ready$, authorityState: state }).spawn({
    next: (outcome) => manager.notifyOutcome(outcome),
  });
  backlog.size = () => driver.backlogSize;
  const pause = new DriverPause(driver);
  /**
   * The door on this thread, in order, up to the first refusal; the
   * signatures of what passed it on the verifier's workers. The call's refusal
   * is its first bad certificate's, as when each was verified here in turn.
   * Without signature checks, the certificate's bytes are still decoded and its digest checked.
   */
  const verified = async (certificates: readonly unknown[]): Promise<CertifiedTransaction[]> => {
    const { passed, doorRefusal } = throughTheDoor(certificates);
    await verifier?.verify(passed);
    if (doorRefusal !== undefined) throw doorRefusal;
    return passed;
  };
  // Each commit hands its certificates to the manager only after the commit called before it did.
  let previousCommit: Promise<unknown> = Promise.resolve();
  /** Commits called and not handed over (nor refused) yet: one called meanwhile waits its turn. */
  let commitsWaiting = 0;
  // The lowest commit refused before it reached the manager for a reason that is not its certificates' own (an
  // overload, a verifier that crashed): later commits are refused until it is delivered again, as the manager
  // refuses those after a commit that failed to sequence. A forged or malformed certificate is refused so on every
  // validator: its commit holds nothing back. A commit handed over before (a redelivery) holds nothing back either.
  let refusedCommit: number | undefined;
  let handedOverUpTo = Number.NEGATIVE_INFINITY;
  // Hand back certificates past their budget's age limit even when nothing else arrives.
  const ageLimit = Math.min(limits.maxAwaitingCreationAgeMs, limits.maxPastLimitAgeMs);
  // A period past Node's timer bound would run every 1 ms (with a TimeoutOverflowWarning): at most that bound.
  const sweeper = Number.isFinite(ageLimit) ? sweep(() => manager.expireAged(), Math.min(MAX_DELAY_MS, Math.max(10, ageLimit / 4)), driverOptions.scheduler) : undefined;
  // Calls that have reached the manager and not settled: a stop waits for them before taking what it holds.
  const inFlight = new Set<Promise<unknown>>();
  const tracked = (call: Promise<EnqueueResult[]>): Promise<EnqueueResult[]> => {
    inFlight.add(call);
    const settled = (): void => {
      inFlight.delete(call);
    };
    call.then(settled, settled);
    return call;
  };
  let stopping: Promise<ValidatorRunSummary> | undefined;
  // A durable write that failed (a full disk): from then on nothing more is taken, and what was accepted stays on disk.
  let storeFailure: Error | undefined;
  const failStore = (error: unknown): void => {
    storeFailure ??= error instanceof Error ? error : new Error(String(error));
    manager.close();
  };
  const persisted = async <T>(write: Promise<T>, refusesOnlyTheCall: (error: unknown) => boolean = isRefusalOfTheCall): Promise<T> => {
    try {
      return await write;
    } catch (error) {
      // A refusal of that call (a damaged record read on the way, a commit out of order, a stop) is not a write that
      // failed: later calls still run. A commit refused after a failed one used to stop the whole pipeline so.
      if (!refusesOnlyTheCall(error)) failStore(error);
      throw error;
    }
  };
  if (durable) {
    driver.outcomes$.subscribe((outcome) => {
      if (outcome.kind !== 'failed') return;
      // An execution whose batch could not be written stays pending on disk; a smaller write might still fit, but nothing more is taken.
      if (outcome.error instanceof StoreFullError) failStore(outcome.error);
      // It can never execute (an input it names is spent, or is not the object it names): pending on disk, every restart
      // would run it again and give it another outcome. Any other failure keeps its record: a restart retries it.
      else if (outcome.error instanceof InputSpentError || outcome.error instanceof InputMismatchError) {
        void persisted(durable.epochTables.forget([outcome.digest])).catch(() => undefined);
      }
    });
    // Handed back to the submitter: no longer held, so no longer pending on disk.
    manager.handedBack$.subscribe(({ certificate }) => {
      void persisted(durable.epochTables.forget([certificate.digest])).catch(() => undefined);
    });
  }
  /**
   * `already-executed` may be read from a batch staged and not yet on disk: the
   * answer waits until that batch is, so that no caller is told of an execution
   * a crash then loses (the kill -9 harness saw one). If it failed to land, the
   * store's error is the answer, and the pipeline takes no more work.
   */
  const onDisk = async (store: DurableObjectStore, certificates: readonly CertifiedTransaction[], results: EnqueueResult[]): Promise<EnqueueResult[]> => {
    const executed = certificates.filter((_, i) => results[i] === 'already-executed').map((c) => c.digest);
    if (executed.length > 0) await persisted(store.whenOnDisk(executed));
    return results;
  };
  const refuseIfDown = (): void => {
    if (stopping) throw new PipelineStoppedError();
    if (storeFailure) throw storeFailure;
  };
  /** A commit's turn: its checked certificates go to the manager, tracked until they settle. */
  const handOver = (digest: string, index: number, checked: CertifiedTransaction[]): Promise<EnqueueResult[]> => {
    if (refusedCommit === index) refusedCommit = undefined;
    if (index > handedOverUpTo) handedOverUpTo = index;
    const orderedCommit: ConsensusCommit = { digest, index, certificates: checked };
    refuseIfDown();
    // Processed before a restart (the manager has not seen it): taken again as the manager takes a redelivery it has seen.
    const again = durable !== undefined && redelivered(durable, orderedCommit);
    const taken = again ? manager.redeliver(orderedCommit) : manager.commit(orderedCommit);
    // Tracked from the manager's call on, in the same turn: a stop that comes meanwhile waits for it.
    // A damaged record met while the manager takes a commit stops the pipeline: the commit's shared versions were
    // assigned, so what follows on its objects would wait for good for the certificates it could not take.
    // Tracked until the executions it answers are on disk too: a stop closes the database only after.
    const settled = durable ? persisted(taken, isRefusalOfACommit).then((results) => onDisk(durable, checked, results)) : taken;
    return tracked(settled);
  };
  const stopPipeline = (stopOptions?: StopOptions): Promise<ValidatorRunSummary> => {
    // Checked before anything closes: a bad mode changes nothing, and a later stop still works.
    const mode: unknown = stopOptions?.mode ?? 'drain';
    if (mode !== 'drain' && mode !== 'abort') return Promise.reject(new InvalidOptionError('mode', mode, "'drain' or 'abort'"));
    if (stopping) {
      if (stopOptions?.mode === 'abort') void driver.stop(stopOptions);
      return stopping;
    }
    // Close the manager first: the driver takes nothing once stopped, so a later release would be lost.
    manager.close();
    sweeper?.();
    // Calls still being verified are refused at once; the pipeline's own worker threads exit.
    const verifierClosed = verifier?.close(new PipelineStoppedError());
    stopping = (async () => {
      const summary = await driver.stop(stopOptions);
      await Promise.allSettled([...inFlight]);
      // What the manager held stays pending on disk: a restart re-enqueues it.
      const result = { ...summary, heldByManager: manager.handBackAll() };
      await verifierClosed;
      if (ownsDatabase) await durable?.close();
      return result;
    })();
    return stopping;
  };
  return {
    state,
    manager,
    driver: stoppingThePipeline(driver, manager, stopPipeline, pause),
    get recovered() {
      return recovery.report;
    },
    database: durable,
    outcomes$: driver.outcomes$,
    handedBack$: manager.handedBack$,
    verificationStats: () => verifier?.stats(),
    // async, so that a refused certificate is a rejection, never a synchronous throw.
    submit: async (certificates) => {
      refuseIfDown();
      const accepted = await verified(certificateList(certificates));
      // Stopped (or the disk failed) while it was being verified: nothing of it is kept.
      refuseIfDown();
      // Tracked whole, from the manager's call to the pending records and the executions it answers on disk: a stop
      // waits for all of it before it closes the database (an answer still waiting for the disk was refused by the close).
      return tracked(
        (async () => {
          const enqueued = await manager.enqueue(accepted);
          if (!durable) return enqueued;
          await persisted(persistAccepted(durable, manager, state.loadEpochStoreOneCallPerTask().epoch, accepted, enqueued));
          return onDisk(durable, accepted, enqueued);
        })(),
      );
    },
    commit: async (commit) => {
      refuseIfDown();
      const { digest, index, certificates } = commitFields(commit);
      const refusedAfterFailed = (): void => {
        if (refusedCommit !== undefined && index > refusedCommit) throw new CommitOrderError('after-failed-commit', index, refusedCommit);
      };
      if (verifier === undefined && commitsWaiting === 0) {
        // No signature to wait for and no commit ahead of it: handed over in this call, as it would be after waiting.
        refusedAfterFailed();
        const { passed, doorRefusal } = throughTheDoor(certificates);
        if (doorRefusal !== undefined) throw doorRefusal; // its certificates' own: it holds nothing back
        return handOver(digest, index, passed);
      }
      const verifying = verified(certificates);
      // Awaited only after the commits before it: a refusal meanwhile must not be an unhandled rejection.
      verifying.catch(() => undefined);
      const before = previousCommit;
      commitsWaiting++;
      // Settles once this commit reached the manager (or was refused): the next one's turn.
      const handedOver = (async () => {
        try {
          await before;
          refusedAfterFailed();
          let checked: CertifiedTransaction[];
          try {
            checked = await verifying;
          } catch (error) {
            const retryable = !(error instanceof InvalidCertificateError);
            if (retryable && index > handedOverUpTo && (refusedCommit === undefined || index < refusedCommit)) refusedCommit = index;
            throw error;
          }
          return { ordering: handOver(digest, index, checked) };
        } finally {
          commitsWaiting--;
        }
      })();
      previousCommit = handedOver.catch(() => undefined);
      const { ordering } = await handedOver;
      return ordering;
    },
    reconfigure: async (next) => {
      // Nothing new starts while the state waits for its in-flight executions and switches: a certificate of the old
      // epoch started meanwhile could only fail or be skipped. Those left in the backlog are handed back below.
      pause.beginSwitch();
      try {
        // On disk before the state switches: certificates accepted in the new epoch must not outlive, on disk only,
        // a restart that comes back in the old one (its restore refuses them, and nothing would enqueue them again).
        if (recordEpoch && next.epoch > state.loadEpochStoreOneCallPerTask().epoch) {
          await persisted(recordEpoch({ epoch: next.epoch, validators: next.validators }));
        }
        await state.reconfigure(next);
        const { epoch } = state.loadEpochStoreOneCallPerTask();
        // Released and not started: they would only be skipped (`wrong-epoch`).
        const unstarted = driver.withdraw(({ certificate }) => certificate.epoch !== epoch);
        const stale = manager.dropStaleEpoch(unstarted);
        // Off the disk once handed back; a crash before this lands hands them back again at the restart (`recovered.handedBack`).
        if (durable && stale.length > 0) void persisted(durable.epochTables.forget(stale.map((certificate) => certificate.digest))).catch(() => undefined);
        return stale;
      } finally {
        pause.endSwitch();
      }
    },
    stop: stopPipeline,
  };
}

/**
 * Run `task` every `periodMs` until the returned function is called: on the
 * injected scheduler (virtual time in a simulation), else on a timer that
 * does not keep the process alive.
 */
function sweep(task: () => void, periodMs: number, scheduler: SchedulerLike | undefined): () => void {
  if (!scheduler) {
    const timer = setInterval(task, periodMs);
    timer.unref();
    return () => {
      clearInterval(timer);
    };
  }
  const subscription: Subscription = scheduler.schedule(function tick() {
    task();
    this.schedule(undefined, periodMs);
  }, periodMs);
  return () => {
    subscription.unsubscribe();
  };
}

/**
 * The driver's handle as the pipeline exposes it: its `stop` stops the whole
 * pipeline (the manager first), so that nothing is accepted that nobody would
 * execute; what its `withdraw` takes back the manager lets go (a durable
 * pipeline keeps its pending records: a restart takes it back). Everything
 * else is the driver's own, live.
 */
function stoppingThePipeline(
  driver: ExecutionDriverHandle,
  manager: TransactionManager,
  stopPipeline: (options?: StopOptions) => Promise<ValidatorRunSummary>,
  pause: DriverPause,
): ExecutionDriverHandle {
  const handle = Object.create(driver) as ExecutionDriverHandle;
  // Paused by its user or by a reconfiguration's switch: it resumes when neither holds it.
  Object.defineProperty(handle, 'pause', { value: () => pause.pause() });
  Object.defineProperty(handle, 'resume', { value: () => pause.resume() });
  Object.defineProperty(handle, 'withdraw', {
    value: (take: (pending: PendingCertificate) => boolean): PendingCertificate[] => {
      const taken = driver.withdraw(take);
      for (const pending of taken) manager.notifyWithdrawn(pending);
      return taken;
    },
  });
  Object.defineProperty(handle, 'stop', {
    value: (options?: StopOptions): Promise<RunSummary> => {
      // As the driver's own stop: a bad mode throws, and changes nothing.
      const mode: unknown = options?.mode ?? 'drain';
      if (mode !== 'drain' && mode !== 'abort') throw new InvalidOptionError('mode', mode, "'drain' or 'abort'");
      return stopPipeline(options);
    },
  });
  return handle;
}

/**
 * What `createState` returned, if it is shaped as a pipeline's state: an
 * object with the methods the driver, the manager and a reconfiguration
 * call, its store and its `committed$` stream (a wrong one failed later, as
 * a bare TypeError deep in the run).
 * @throws InvalidOptionError (`createState`) naming what is missing.
 */
function checkedState<S>(state: S): S {
  const expected = 'an AuthorityState for the pipeline: loadEpochStoreOneCallPerTask, tryExecuteImmediately and reconfigure methods, a store and committed$';
  if (typeof state !== 'object' || state === null || typeof (state as { then?: unknown }).then === 'function') throw new InvalidOptionError('createState', state, expected);
  const candidate = state as Partial<Record<string, unknown>>;
  for (const method of ['loadEpochStoreOneCallPerTask', 'tryExecuteImmediately', 'reconfigure']) {
    if (typeof candidate[method] !== 'function') throw new InvalidOptionError('createState', state, `${expected} (${method} is missing)`);
  }
  if (typeof candidate.store !== 'object' || candidate.store === null) throw new InvalidOptionError('createState', state, `${expected} (store is missing)`);
  if (!isObservable(candidate.committed$)) throw new InvalidOptionError('createState', state, `${expected} (committed$ is not an Observable)`);
  return state;
}

/** An error that refuses one call and says nothing of the disk: the store and the pipeline go on. */
function isRefusalOfTheCall(error: unknown): boolean {
  return (
    error instanceof StoreCorruptError ||
    error instanceof CommitOrderError ||
    error instanceof PipelineStoppedError ||
    error instanceof InvalidCertificateError ||
    error instanceof OverloadedError ||
    error instanceof ConsensusRequiredError ||
    error instanceof InvalidOptionError
  );
}

/** An error that refuses one commit and leaves no shared version assigned for nothing: the pipeline goes on. */
function isRefusalOfACommit(error: unknown): boolean {
  return error instanceof CommitOrderError || error instanceof PipelineStoppedError || error instanceof InvalidCertificateError;
}

/**
 * The door on this thread, in order, up to the first refusal: the
 * certificates that passed it, and the refusal (an `InvalidCertificateError`:
 * the door throws nothing else), if any.
 */
function throughTheDoor(certificates: readonly unknown[]): { passed: CertifiedTransaction[]; doorRefusal: Error | undefined } {
  const passed: CertifiedTransaction[] = [];
  for (const value of certificates) {
    try {
      passed.push(canonicalCertificate(value));
    } catch (error) {
      return { passed, doorRefusal: error as Error };
    }
  }
  return { passed, doorRefusal: undefined };
}
