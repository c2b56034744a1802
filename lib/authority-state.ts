import type { ObservableInput } from 'rxjs';
import type { Certificate } from './certificate';

/** The per-epoch context a certificate executes in. */
export interface EpochStore {
  readonly epoch: number;
}

/** What executing a certificate changed. Richer effects types extend this. */
export interface TransactionEffects {
  /** Digest of the effects: compared with `expectedEffectsDigest` to detect forks. */
  readonly digest: string;
}

/** An event emitted by a transaction. */
export interface TransactionEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** The result of one successful execution. */
export interface ExecutionResult {
  readonly effects: TransactionEffects;
  readonly events: readonly TransactionEvent[];
}

/**
 * The port the driver executes through: the validator's state, which runs a
 * certificate against the object store and commits its effects.
 */
export interface AuthorityState {
  /** The current epoch store. The driver calls this once per certificate, at start. */
  loadEpochStoreOneCallPerTask(): EpochStore;

  /**
   * Execute `certificate` and commit its effects. May return a Promise, an
   * Observable (a cold marble in tests) or any other `ObservableInput`; the
   * first value is the result. Throw or reject with a `TransientExecutionError`
   * for failures worth retrying. Honour `signal`: it aborts when the driver is
   * stopped with `mode: 'abort'`. The signal is shared by the run's in-flight
   * executions: remove any listener you add when your execution settles.
   */
  tryExecuteImmediately(
    certificate: Certificate,
    commitDigest: string | undefined,
    commitIndex: number | undefined,
    epochStore: EpochStore,
    signal?: AbortSignal,
  ): ObservableInput<ExecutionResult>;

  /** Whether the transaction's effects are already committed; such certificates are skipped. */
  isTxAlreadyExecuted?(digest: string): boolean | PromiseLike<boolean>;
}
