import { type ObservableInput, Observable, type Subscriber, type Unsubscribable, from } from 'rxjs';
import type { EpochStore, ExecutionResult } from './authority-state';
import type { AbortListener, AbortRegistry } from './abort-registry';
import type { PendingCertificate } from './certificate';
import { ForkDetectedError, InvalidExecutionResultError, ExecutionAbortedError } from './errors';
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
  /** Aborts in-flight executions on `stop({ mode: 'abort' })`. */
  readonly abort: AbortRegistry;
  readonly onRetry: (task: StartedTask, retry: number, error: unknown) => void;
  /** Claim a digest for execution; false if a copy of it is executing already. */
  readonly claim: (digest: string) => boolean;
  /** Release a digest claimed with `claim`. */
  readonly unclaim: (digest: string) => void;
  /** Called once when the task's stream is torn down (its slot is free). */
  readonly onSettled: () => void;
}

/**
 * One certificate's journey, as Sui's driver does it: load the epoch store
 * once, skip a certificate of another epoch, a copy of one executing now, or
 * one already executed; execute
 * (retrying transient failures), then check the effects against the expected
 * digest. Emits exactly one outcome, then completes: every error becomes a
 * `failed` outcome, so one bad certificate never reaches the outer stream.
 */
export function processCertificate(task: StartedTask, context: TaskContext): Observable<ExecutionOutcome> {
  return new Observable<ExecutionOutcome>((subscriber) => {
    const execution = new CertificateExecution(task, context, subscriber);
    execution.start();
    return () => {
      execution.dispose();
      context.onSettled();
    };
  });
}

/**
 * The state of one certificate's execution. Written as one small object
 * rather than a chain of operators: this runs once per certificate, and a
 * chain costs kilobytes of subscribers each time (see bench/).
 */
class CertificateExecution implements AbortListener {
  private attempts = 0;
  private epochStore: EpochStore | undefined;
  private pendingWork: Unsubscribable | undefined;
  private closed = false;
  private claimed = false;
  private listening = false;
  previousListener: AbortListener | undefined;
  nextListener: AbortListener | undefined;

  constructor(
    private readonly task: StartedTask,
    private readonly context: TaskContext,
    private readonly subscriber: Subscriber<ExecutionOutcome>,
  ) {}

  start(): void {
    const state = this.context.options.authorityState;
    try {
      const epochStore = state.loadEpochStoreOneCallPerTask(); // once per task, as Sui
      if (this.task.pending.certificate.epoch !== epochStore.epoch) {
        this.finish(this.skipped('wrong-epoch', epochStore.epoch));
        return;
      }
      this.epochStore = epochStore;
      if (!this.context.claim(this.task.digest)) {
        this.finish(this.skipped('duplicate-in-flight'));
        return;
      }
      this.claimed = true;
      if (!this.context.abort.listen(this)) return;
      this.listening = true;
      const alreadyExecuted = state.isTxAlreadyExecuted?.(this.task.digest);
      if (alreadyExecuted === undefined || alreadyExecuted === false) this.attempt();
      else if (alreadyExecuted === true) this.finish(this.skipped('already-executed'));
      else {
        Promise.resolve(alreadyExecuted).then(
          (executed) => (executed ? this.finish(this.skipped('already-executed')) : this.attempt()),
          (error: unknown) => this.fail(error),
        );
      }
    } catch (error) {
      this.fail(error);
    }
  }

  dispose(): void {
    this.closed = true;
    if (this.claimed) {
      this.claimed = false;
      this.context.unclaim(this.task.digest);
    }
    if (this.listening) {
      this.listening = false;
      this.context.abort.unlisten(this);
    }
    this.pendingWork?.unsubscribe();
  }

  onAbort(reason: unknown): void {
    this.listening = false; // the registry has already unlinked it
    this.fail(reason);
  }

  private attempt(): void {
    if (this.closed) return;
    this.attempts++;
    const { certificate, commit } = this.task.pending;
    let input: ObservableInput<ExecutionResult>;
    try {
      input = this.context.options.authorityState.tryExecuteImmediately(
        certificate,
        commit?.digest,
        commit?.index,
        this.epochStore as EpochStore,
        this.context.abort.signal,
      );
    } catch (error) {
      this.failOrRetry(error);
      return;
    }
    if (isPromiseLike(input)) {
      // Fast path for the common case; a late settlement after abort is ignored.
      input.then(
        (result) => this.succeed(result),
        (error: unknown) => this.failOrRetry(error),
      );
      return;
    }
    let gotResult = false;
    this.pendingWork = from(input).subscribe({
      next: (result) => {
        gotResult = true;
        this.succeed(result);
      },
      error: (error: unknown) => this.failOrRetry(error),
      complete: () => {
        if (!gotResult) this.failOrRetry(new InvalidExecutionResultError(this.task.digest, 'completed without a result'));
      },
    });
  }

  private succeed(result: ExecutionResult): void {
    if (this.closed) return;
    const effectsDigest = (result as Partial<ExecutionResult> | undefined)?.effects?.digest;
    if (typeof effectsDigest !== 'string') {
      this.fail(new InvalidExecutionResultError(this.task.digest, 'no effects digest'));
      return;
    }
    const { task } = this;
    const expected = task.pending.expectedEffectsDigest;
    const queueingDelayMs = task.startedAt - task.receivedAt;
    if (expected !== undefined && expected !== effectsDigest) {
      const error = new ForkDetectedError(task.pending, expected, effectsDigest);
      const { effects, events } = result;
      this.finish({ kind: 'fatal', digest: task.digest, pending: task.pending, queueingDelayMs, effects, events, attempts: this.attempts, error });
      return;
    }
    this.finish({
      kind: 'executed',
      digest: task.digest,
      pending: task.pending,
      queueingDelayMs,
      effects: result.effects,
      events: result.events,
      attempts: this.attempts,
      latencyMs: this.context.options.now() - task.startedAt,
    });
  }

  private failOrRetry(error: unknown): void {
    if (this.closed) return;
    const { retry, scheduler } = this.context.options;
    if (this.attempts < retry.maxAttempts && retry.isTransient(error)) {
      this.context.onRetry(this.task, this.attempts, error);
      // On the injected scheduler, so marble tests run backoff in virtual time.
      this.pendingWork = scheduler.schedule(() => this.attempt(), retry.delayBeforeRetry(this.attempts));
      return;
    }
    this.fail(error);
  }

  private fail(error: unknown): void {
    if (this.closed) return;
    this.finish({
      kind: 'failed',
      digest: this.task.digest,
      pending: this.task.pending,
      queueingDelayMs: this.task.startedAt - this.task.receivedAt,
      reason: this.failureReason(error),
      error,
      attempts: this.attempts,
    });
  }

  private finish(outcome: ExecutionOutcome): void {
    if (this.closed) return;
    this.dispose();
    this.subscriber.next(outcome);
    this.subscriber.complete();
  }

  private skipped(reason: SkipReason, currentEpoch?: number): ExecutionOutcome {
    const { task } = this;
    const queueingDelayMs = task.startedAt - task.receivedAt;
    return currentEpoch === undefined
      ? { kind: 'skipped', digest: task.digest, pending: task.pending, queueingDelayMs, reason }
      : { kind: 'skipped', digest: task.digest, pending: task.pending, queueingDelayMs, reason, currentEpoch };
  }

  private failureReason(error: unknown): FailureReason {
    if (error instanceof ExecutionAbortedError) return 'aborted';
    if (error instanceof InvalidExecutionResultError) return 'invalid-result';
    const { retry } = this.context.options;
    if (this.attempts >= retry.maxAttempts && retry.isTransient(error)) return 'retries-exhausted';
    return 'execution-error';
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<ExecutionResult> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
