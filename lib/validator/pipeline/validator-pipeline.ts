import type { Observable } from 'rxjs';
import type { PendingCertificate } from '../../certificate';
import { ExecutionDriver, type ExecutionDriverHandle, type StopOptions } from '../../execution-driver';
import { createDefaultLogger } from '../../logging';
import type { ExecuteCertificatesOptions } from '../../options';
import type { ExecutionOutcome, RunSummary } from '../../outcomes';
import { canonicalCertificate } from '../certificates/canonical-certificate';
import { certificateList, commitFields } from './certificate-arguments';
import { type CertifiedTransaction, verifyCertificate } from '../certificates/certified-transaction';
import type { Committee } from '../certificates/committee';
import { digestsReady } from '../model/digests';
import { PipelineStoppedError } from '../errors';
import { genesisBatch } from '../execution/genesis';
import { InMemoryObjectStore, type ObjectStore } from '../storage/object-store';
import type { StoredObject } from '../model/objects';
import { ReferenceAuthorityState } from '../execution/reference-authority-state';
import {
  type AdmissionLimits,
  type ConsensusCommit,
  DEFAULT_ADMISSION_LIMITS,
  type EnqueueResult,
  type HandedBackCertificate,
  TransactionManager,
} from '../manager/transaction-manager';
import type { TransactionManagerMetrics } from '../manager/transaction-manager-metrics';

/** Options of {@link startValidatorPipeline}. */
export interface ValidatorPipelineOptions extends Omit<ExecuteCertificatesOptions, 'authorityState'> {
  readonly committee: Committee;
  /** Objects that exist before any transaction (written at start). */
  readonly genesis: readonly StoredObject[];
  /** Default: a fresh `InMemoryObjectStore`. */
  readonly store?: ObjectStore;
  readonly limits?: AdmissionLimits;
  /** TransactionManager metrics (prefix `transaction_manager_`). */
  readonly managerMetrics?: TransactionManagerMetrics;
  /** Check every certificate's quorum of signatures on the way in (default true). */
  readonly verifySignatures?: boolean;
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
export interface ValidatorPipeline {
  readonly state: ReferenceAuthorityState;
  readonly manager: TransactionManager;
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
  /**
   * Verify and enqueue certificates of owned objects.
   * @throws InvalidCertificateError (nothing enqueued; `malformed` if the argument is not an array), OverloadedError,
   * ConsensusRequiredError, PipelineStoppedError (once `stop` has been called; nothing kept)
   */
  submit(certificates: readonly unknown[]): Promise<EnqueueResult[]>;
  /**
   * Verify and order a consensus commit of shared-object certificates.
   * @throws InvalidCertificateError (nothing ordered; `malformed` if the commit is not `{ digest, index, certificates }`),
   * CommitOrderError (an index going back that is not a redelivery), PipelineStoppedError
   */
  commit(commit: { digest: string; index: number; certificates: readonly unknown[] }): Promise<EnqueueResult[]>;
  /**
   * Move to the next epoch once in-flight executions have finished. Resolves
   * with the certificates of the old epoch that were still waiting for inputs:
   * they can no longer execute, and are handed back rather than dropped.
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
 * For throughput, start Node with `--max-semi-space-size=64`: the pipeline
 * allocates about 17 kB per transaction, and a larger young generation
 * takes it from about 25,000 to 31,000 transactions per second here, at the
 * price of longer young-generation pauses (README, validator benchmark).
 */
export async function startValidatorPipeline(options: ValidatorPipelineOptions): Promise<ValidatorPipeline> {
  const { committee, genesis, limits, managerMetrics, verifySignatures = true, store = new InMemoryObjectStore(), ...driverOptions } = options;
  await digestsReady(); // full-speed digests before the first execution
  await store.commit(genesisBatch(genesis, committee.epoch));
  const state = new ReferenceAuthorityState(store, committee);
  let readyBacklog = () => 0;
  const manager = new TransactionManager(state, {
    ...(limits ? { limits } : {}),
    ...(managerMetrics ? { metrics: managerMetrics } : {}),
    readyBacklog: () => readyBacklog(),
    logger: driverOptions.logger ?? createDefaultLogger(),
  });
  const driver = new ExecutionDriver({ ...driverOptions, readyCertificates: manager.ready$, authorityState: state }).spawn({
    next: (outcome) => manager.notifyOutcome(outcome),
  });
  readyBacklog = () => driver.backlogSize;
  // Without signature checks, the certificate's bytes are still decoded and its digest checked.
  const verified = (certificates: unknown): CertifiedTransaction[] =>
    certificateList(certificates).map((c) => (verifySignatures ? verifyCertificate(c, state.loadEpochStoreOneCallPerTask().committee) : canonicalCertificate(c)));
  // Hand back certificates past the awaiting-creation age even when nothing else arrives.
  const ageLimit = limits?.maxAwaitingCreationAgeMs ?? DEFAULT_ADMISSION_LIMITS.maxAwaitingCreationAgeMs;
  const sweeper = Number.isFinite(ageLimit) ? setInterval(() => manager.expireAwaitingCreation(), Math.max(10, ageLimit / 4)) : undefined;
  sweeper?.unref();
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
  return {
    state,
    manager,
    driver,
    outcomes$: driver.outcomes$,
    handedBack$: manager.handedBack$,
    // async, so that a refused certificate is a rejection, never a synchronous throw.
    submit: async (certificates) => {
      if (stopping) throw new PipelineStoppedError();
      return tracked(manager.enqueue(verified(certificates)));
    },
    commit: async (commit) => {
      if (stopping) throw new PipelineStoppedError();
      const { digest, index, certificates } = commitFields(commit);
      const orderedCommit: ConsensusCommit = { digest, index, certificates: verified(certificates) };
      return tracked(manager.commit(orderedCommit));
    },
    reconfigure: async (next) => {
      await state.reconfigure(next);
      return manager.dropStaleEpoch();
    },
    stop: (stopOptions) => {
      if (stopping) {
        if (stopOptions?.mode === 'abort') void driver.stop(stopOptions);
        return stopping;
      }
      // Close the manager first: the driver takes nothing once stopped, so a later release would be lost.
      manager.close();
      clearInterval(sweeper);
      stopping = (async () => {
        const summary = await driver.stop(stopOptions);
        await Promise.allSettled([...inFlight]);
        return { ...summary, heldByManager: manager.handBackAll() };
      })();
      return stopping;
    },
  };
}
