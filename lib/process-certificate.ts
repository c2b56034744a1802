import { type Observable, catchError, defer, from, map, mergeMap, of, race, take, throwIfEmpty } from 'rxjs';
import type { EpochStore, ExecutionResult } from './authority-state';
import type { PendingCertificate } from './certificate';
import { ExecutionAbortedError, ForkDetectedError, InvalidExecutionResultError } from './errors';
import type { ExecutionOutcome, FailureReason, SkipReason } from './outcomes';
import type { ResolvedOptions } from './options';

/** A certificate that has been given an execution slot. */
export interface StartedTask {
  readonly pending: PendingCertificate;
  readonly digest: string;
  readonly receivedAt: number;
  readonly startedAt: number;
}

/** What one run shares with its tasks. */
export interface TaskContext {
  readonly options: ResolvedOptions;
  readonly signal: AbortSignal;
  /** Errors with `ExecutionAbortedError` once the run is aborted; never emits otherwise. */
  readonly aborted$: Observable<never>;
  readonly onRetry: (task: StartedTask, retry: number, error: unknown) => void;
}

/**
 * One certificate's journey, as Sui's driver does it: load the epoch store
 * once, skip a certificate of another epoch or one already executed, execute
 * (retrying transient failures), then check the effects against the expected
 * digest. Always exactly one outcome: every error becomes a `failed` outcome here,
 * so one bad certificate never reaches the outer stream.
 */
export function processCertificate(task: StartedTask, context: TaskContext): Observable<ExecutionOutcome> {
  return defer(() => {
    const state = context.options.authorityState;
    const epochStore = state.loadEpochStoreOneCallPerTask();
    if (task.pending.certificate.epoch !== epochStore.epoch) {
      return of(skipped(task, 'wrong-epoch', epochStore.epoch));
    }
    const alreadyExecuted = state.isTxAlreadyExecuted?.(task.digest);
    if (alreadyExecuted === undefined || alreadyExecuted === false) return execute(task, epochStore, context);
    if (alreadyExecuted === true) return of(skipped(task, 'already-executed'));
    return from(alreadyExecuted).pipe(
      mergeMap((executed) => (executed ? of(skipped(task, 'already-executed')) : execute(task, epochStore, context))),
    );
  }).pipe(catchError((error: unknown) => of(failed(task, failureReason(error, 0, context), error, 0))));
}

function execute(task: StartedTask, epochStore: EpochStore, context: TaskContext): Observable<ExecutionOutcome> {
  const { options } = context;
  const { certificate, commit } = task.pending;
  let attempts = 0;
  const execution$ = defer(() => {
    attempts++;
    return options.authorityState.tryExecuteImmediately(certificate, commit?.digest, commit?.index, epochStore, context.signal);
  }).pipe(
    take(1),
    throwIfEmpty(() => new InvalidExecutionResultError(task.digest, 'completed without a result')),
    options.retry.retryTransient(options.scheduler, (retry, error) => {
      context.onRetry(task, retry, error);
    }),
    map((result) => settle(task, result, attempts, options.now())),
  );
  return race(execution$, context.aborted$).pipe(
    catchError((error: unknown) => of(failed(task, failureReason(error, attempts, context), error, attempts))),
  );
}

/** Turn a result into `executed`, or `fatal` when the effects differ from the expected ones. */
function settle(task: StartedTask, result: ExecutionResult, attempts: number, now: number): ExecutionOutcome {
  const effectsDigest = (result as Partial<ExecutionResult> | undefined)?.effects?.digest;
  if (typeof effectsDigest !== 'string') throw new InvalidExecutionResultError(task.digest, 'no effects digest');
  const base = {
    digest: task.digest,
    pending: task.pending,
    queueingDelayMs: task.startedAt - task.receivedAt,
    effects: result.effects,
    events: result.events,
    attempts,
  };
  const expected = task.pending.expectedEffectsDigest;
  if (expected !== undefined && expected !== effectsDigest) {
    return { ...base, kind: 'fatal', error: new ForkDetectedError(task.pending, expected, effectsDigest) };
  }
  return { ...base, kind: 'executed', latencyMs: now - task.startedAt };
}

function skipped(task: StartedTask, reason: SkipReason, currentEpoch?: number): ExecutionOutcome {
  const outcome = {
    kind: 'skipped',
    digest: task.digest,
    pending: task.pending,
    queueingDelayMs: task.startedAt - task.receivedAt,
    reason,
  } as const;
  return currentEpoch === undefined ? outcome : { ...outcome, currentEpoch };
}

function failed(task: StartedTask, reason: FailureReason, error: unknown, attempts: number): ExecutionOutcome {
  return {
    kind: 'failed',
    digest: task.digest,
    pending: task.pending,
    queueingDelayMs: task.startedAt - task.receivedAt,
    reason,
    error,
    attempts,
  };
}

function failureReason(error: unknown, attempts: number, context: TaskContext): FailureReason {
  if (error instanceof ExecutionAbortedError) return 'aborted';
  if (error instanceof InvalidExecutionResultError) return 'invalid-result';
  if (attempts >= context.options.retry.maxAttempts && context.options.retry.isTransient(error)) return 'retries-exhausted';
  return 'execution-error';
}
