import { type Observable, firstValueFrom, from } from 'rxjs';
import type { EpochStore, ExecutionResult } from '../authority-state';
import type { Certificate } from '../certificate';
import type { Committee } from '../validator/certificates/committee';
import type { ReferenceEpochStore } from '../validator/execution/reference-epoch-store';
import type { CommittedOutputs } from '../validator/execution/reference-authority-state';
import type { PipelineAuthorityState } from '../validator/pipeline/validator-pipeline';
import type { ObjectStore } from '../validator/storage/object-store';
import type { TimeScope } from './simulation-clock';

/** What the simulation watches of each execution. */
export interface ExecutionWatch {
  /** The driver calls into the state for this certificate (asks whether it executed, or executes it): its slot is taken. */
  called(digest: string): void;
  /** The driver executes it: the moment to check its inputs exist. */
  started(certificate: Certificate, epochStore: EpochStore): void;
  /** How long this execution computes (ms of virtual time), before the state runs it. */
  duration(): number;
}

/**
 * The state the pipeline runs on, seen through the simulation: every call
 * for a certificate is reported to the watch (counted against the limit),
 * and an execution has its inputs checked, then takes its computing time in
 * virtual time, then runs in the wrapped state. Everything else is the
 * wrapped state's own.
 */
export class InstrumentedState implements PipelineAuthorityState {
  constructor(
    private readonly inner: PipelineAuthorityState,
    private readonly scope: TimeScope,
    private readonly watch: ExecutionWatch,
  ) {}

  get store(): ObjectStore {
    return this.inner.store;
  }

  get committed$(): Observable<CommittedOutputs> {
    return this.inner.committed$;
  }

  loadEpochStoreOneCallPerTask(): ReferenceEpochStore {
    return this.inner.loadEpochStoreOneCallPerTask();
  }

  async isTxAlreadyExecuted(digest: string): Promise<boolean> {
    this.watch.called(digest);
    return (await this.inner.isTxAlreadyExecuted?.(digest)) ?? false;
  }

  reconfigure(committee: Committee): Promise<void> {
    return this.inner.reconfigure(committee);
  }

  async tryExecuteImmediately(
    certificate: Certificate,
    commitDigest: string | undefined,
    commitIndex: number | undefined,
    epochStore: EpochStore,
    signal?: AbortSignal,
  ): Promise<ExecutionResult> {
    this.watch.called(certificate.digest);
    this.watch.started(certificate, epochStore);
    await this.scope.sleep(this.watch.duration());
    return firstValueFrom(from(this.inner.tryExecuteImmediately(certificate, commitDigest, commitIndex, epochStore, signal)));
  }
}
