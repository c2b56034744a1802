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
 * What the driver hands `tryExecuteImmediately` when it lets staged
 * executions give up their slot (`maxStagedExecutions` above 0).
 */
export interface ExecutionProgress {
  /**
   * This execution's effects are committed and visible to later executions,
   * and its result follows once they are durable: the driver may give its
   * slot to another certificate meanwhile (while fewer than
   * `maxStagedExecutions` wait so). The outcome is still given only with the
   * result. Call it at most once per call of `tryExecuteImmediately`, before
   * its result; a later or second call is ignored. Once called, an error
   * instead of the result is the certificate's failure, not retried: its
   * effects were committed already.
   */
  staged(): void;
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
   * `progress` is given only when the driver's `maxStagedExecutions` is above
   * 0: a state whose commit is visible before it is durable calls
   * `progress.staged()` then, and gives the result once durable.
   */
  tryExecuteImmediately(
    certificate: Certificate,
    commitDigest: string | undefined,
    commitIndex: number | undefined,
    epochStore: EpochStore,
    signal?: AbortSignal,
    progress?: ExecutionProgress,
  ): ObservableInput<ExecutionResult>;

  /** Whether the transaction's effects are already committed; such certificates are skipped. */
  isTxAlreadyExecuted?(digest: string): boolean | PromiseLike<boolean>;
}
