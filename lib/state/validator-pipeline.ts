import type { Observable } from 'rxjs';
import { ExecutionDriver, type ExecutionDriverHandle, type StopOptions } from '../execution-driver';
import type { ExecuteCertificatesOptions } from '../options';
import type { ExecutionOutcome, RunSummary } from '../outcomes';
import { canonicalCertificate } from './canonical-certificate';
import { certificateList, commitFields } from './certificate-arguments';
import { type CertifiedTransaction, verifyCertificate } from './certified-transaction';
import type { Committee } from './committee';
import { digestsReady } from './digests';
import { genesisBatch } from './genesis';
import { InMemoryObjectStore, type ObjectStore } from './object-store';
import type { StoredObject } from './objects';
import { ReferenceAuthorityState } from './reference-authority-state';
import { type AdmissionLimits, type ConsensusCommit, type EnqueueResult, TransactionManager } from './transaction-manager';
import type { TransactionManagerMetrics } from './transaction-manager-metrics';

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

/** A running validator execution pipeline: state, TransactionManager and ExecutionDriver. */
export interface ValidatorPipeline {
  readonly state: ReferenceAuthorityState;
  readonly manager: TransactionManager;
  readonly driver: ExecutionDriverHandle;
  /** Every execution outcome. */
  readonly outcomes$: Observable<ExecutionOutcome>;
  /**
   * Verify and enqueue certificates of owned objects.
   * @throws InvalidCertificateError (nothing enqueued; `malformed` if the argument is not an array), OverloadedError, ConsensusRequiredError
   */
  submit(certificates: readonly unknown[]): Promise<EnqueueResult[]>;
  /**
   * Verify and order a consensus commit of shared-object certificates.
   * @throws InvalidCertificateError (nothing ordered; `malformed` if the commit is not `{ digest, index, certificates }`)
   */
  commit(commit: { digest: string; index: number; certificates: readonly unknown[] }): Promise<EnqueueResult[]>;
  /**
   * Move to the next epoch once in-flight executions have finished. Resolves
   * with the certificates of the old epoch that were still waiting for inputs:
   * they can no longer execute, and are handed back rather than dropped.
   */
  reconfigure(committee: Committee): Promise<CertifiedTransaction[]>;
  /** Stop the driver (see `ExecutionDriverHandle.stop`). */
  stop(options?: StopOptions): Promise<RunSummary>;
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
  });
  const driver = new ExecutionDriver({ ...driverOptions, readyCertificates: manager.ready$, authorityState: state }).spawn({
    next: (outcome) => manager.notifyOutcome(outcome),
  });
  readyBacklog = () => driver.backlogSize;
  // Without signature checks, the certificate's bytes are still decoded and its digest checked.
  const verified = (certificates: unknown): CertifiedTransaction[] =>
    certificateList(certificates).map((c) => (verifySignatures ? verifyCertificate(c, state.loadEpochStoreOneCallPerTask().committee) : canonicalCertificate(c)));
  return {
    state,
    manager,
    driver,
    outcomes$: driver.outcomes$,
    // async, so that a refused certificate is a rejection, never a synchronous throw.
    submit: async (certificates) => manager.enqueue(verified(certificates)),
    commit: async (commit) => {
      const { digest, index, certificates } = commitFields(commit);
      const orderedCommit: ConsensusCommit = { digest, index, certificates: verified(certificates) };
      return manager.commit(orderedCommit);
    },
    reconfigure: async (next) => {
      await state.reconfigure(next);
      return manager.dropStaleEpoch();
    },
    stop: (stopOptions) => driver.stop(stopOptions),
  };
}
