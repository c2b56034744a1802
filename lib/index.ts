/**
 * soma-execution-driver: a reactive execution driver for a validator.
 * Ready certificates in, one explicit outcome per certificate out.
 * @packageDocumentation
 */
export type { Certificate, CommitRef, PendingCertificate } from './certificate';
export { describeMalformedCertificate } from './certificate';
export type { AuthorityState, EpochStore, ExecutionProgress, ExecutionResult, TransactionEffects, TransactionEvent } from './authority-state';
export type {
  ExecutedOutcome,
  ExecutionOutcome,
  FailedOutcome,
  FailureReason,
  FatalOutcome,
  RunSummary,
  SkipReason,
  SkippedOutcome,
} from './outcomes';
export type { AuthorityStateMethod } from './errors';
export {
  DriverAlreadySpawnedError,
  ExecutionAbortedError,
  ExecutionDriverError,
  ForkDetectedError,
  InvalidExecutionResultError,
  InvalidOptionError,
  MalformedCertificateError,
  ReadySourceError,
  RetryClassificationError,
  TransientExecutionError,
} from './errors';
export { executeCertificates } from './execute-certificates';
export type { StopMode } from './execute-certificates';
export { DEFAULT_CONCURRENCY_CEILING, DEFAULT_MAX_CONCURRENT_EXECUTIONS } from './options';
export type { ExecuteCertificatesOptions } from './options';
export { DEFAULT_RETRY } from './retry-policy';
export type { RetryOptions } from './retry-policy';
export { ExecutionDriver } from './execution-driver';
export type { ExecutionDriverHandle, ExecutionDriverOptions, StopOptions } from './execution-driver';
export { LATENCY_WINDOW } from './snapshot';
export { MAX_DELAY_MS } from './timer-limit';
export type { DriverSnapshot, LatencyPercentiles, OutcomeCounts, PeriodicSnapshot } from './snapshot';
export { ExecutionDriverMetrics } from './metrics';
export type { ErrorLabel } from './metrics';
export { createDefaultLogger } from './logging';
export { serveMetrics } from './metrics-server';
export type { MetricsServer, MetricsServerOptions } from './metrics-server';
export { MAX_CONCURRENT_EXECUTIONS, startExecutionDriver } from './start-execution-driver';
