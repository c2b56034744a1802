import type { PendingCertificate } from './certificate';
import { describeValue } from './describe-value';
import type { RunSummary } from './run-summary';

/** Base class of every error this package creates, so callers can catch them as one family. */
export class ExecutionDriverError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Thrown (or rejected) by an `AuthorityState` for a failure worth retrying:
 * a busy store, a lock timeout. The driver retries it with backoff; any other
 * error fails the certificate at once.
 */
export class TransientExecutionError extends ExecutionDriverError {}

/** A ready item that is not a well-formed pending certificate. Nothing was executed. */
export class MalformedCertificateError extends ExecutionDriverError {
  constructor(
    readonly problem: string,
    readonly received: unknown,
  ) {
    super(`Malformed pending certificate: ${problem}`);
  }
}

/** Which `AuthorityState` call returned a value of the wrong shape. */
export type AuthorityStateMethod = 'loadEpochStoreOneCallPerTask' | 'isTxAlreadyExecuted' | 'tryExecuteImmediately';

/**
 * An `AuthorityState` call returned something of the wrong shape: an epoch
 * store without a numeric epoch, an `isTxAlreadyExecuted` answer that is not a
 * boolean, an execution that is no `ObservableInput`, that completed without a
 * result, or whose result has no effects digest. Never retried.
 */
export class InvalidExecutionResultError extends ExecutionDriverError {
  constructor(
    readonly digest: string,
    readonly problem: string,
    readonly method: AuthorityStateMethod = 'tryExecuteImmediately',
  ) {
    super(`${method} for ${digest} returned an invalid result: ${problem}`);
  }
}

/**
 * `retry.isTransient` threw while classifying an execution error: the
 * certificate fails (it is not retried), with the execution's own error kept
 * as `executionError` and the predicate's as `cause`.
 */
export class RetryClassificationError extends ExecutionDriverError {
  constructor(
    readonly digest: string,
    readonly executionError: unknown,
    cause: unknown,
  ) {
    super(`retry.isTransient threw while classifying the execution error of ${digest}`, { cause });
  }
}

/** The execution was cut short by `stop({ mode: 'abort' })`. */
export class ExecutionAbortedError extends ExecutionDriverError {
  constructor() {
    super('Execution aborted: the driver was stopped with mode "abort"');
  }
}

/**
 * Local execution produced effects that differ from those the certificate was
 * expected to produce: this validator's state has forked. The driver stops
 * taking certificates, lets in-flight ones finish, and rejects `done` with this.
 */
export class ForkDetectedError extends ExecutionDriverError {
  /** The run's summary, set when the run has ended (on the error `done` rejects with). */
  summary?: RunSummary;

  constructor(
    readonly pending: PendingCertificate,
    readonly expectedEffectsDigest: string,
    readonly actualEffectsDigest: string,
  ) {
    super(
      `Fork detected executing ${pending.certificate.digest}: expected effects ${expectedEffectsDigest}, got ${actualEffectsDigest}`,
    );
  }
}

/** The ready-certificate source errored. Certificates already received were still executed. */
export class ReadySourceError extends ExecutionDriverError {
  summary?: RunSummary;

  constructor(cause: unknown) {
    super('The ready-certificate source failed', { cause });
  }
}

/** An option passed to the driver is out of range. */
export class InvalidOptionError extends ExecutionDriverError {
  constructor(
    readonly option: string,
    readonly value: unknown,
    expectation: string,
  ) {
    super(`Invalid option ${option}: got ${describeValue(value)}, expected ${expectation}`);
  }
}

/** `spawn()` was called a second time on the same driver. */
export class DriverAlreadySpawnedError extends ExecutionDriverError {
  constructor() {
    super('This ExecutionDriver was already spawned; create a new one for a new run');
  }
}
