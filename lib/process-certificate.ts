import { type Observable as ObservableType, Observable, type Subscriber, type Unsubscribable, from } from 'rxjs';
import type { EpochStore, ExecutionProgress, ExecutionResult } from './authority-state';
import type { AbortListener, AbortRegistry } from './abort-registry';
import type { PendingCertificate } from './certificate';
import { describeValue } from './describe-value';
import {
  type AuthorityStateMethod,
  ExecutionAbortedError,
  ForkDetectedError,
  InvalidExecutionResultError,
  RetryClassificationError,
} from './errors';
import type { ExecutionOutcome, FailureReason, SkipReason } from './outcomes';
import type { ResolvedOptions } from './options';

/** A certificate that has been given an execution slot. */
export interface StartedTask {
  readonly pending: PendingCertificate;
  readonly digest: string;
  readonly receivedAt: number;
  readonly startedAt: number;
}

/** What one run shares with its certificates' journeys. */
export interface TaskContext {
  readonly options: ResolvedOptions;
  /** Aborts in-flight executions on `stop({ mode: 'abort' })`. */
  readonly abort: AbortRegistry;
  readonly onRetry: (task: StartedTask, retry: number, error: unknown) => void;
  /** Claim a digest for execution; false if a copy of it is executing already. */
  readonly claim: (digest: string) => boolean;
  /** Release a digest claimed with `claim`. */
  readonly unclaim: (digest: string) => void;
  /**
   * The journey is over: called exactly once, when its stream is torn down.
   * `slotReleased`: its slot was freed early (`releaseStaged`), else it is free now.
   * `reported`: its outcome went out while it held the slot (see `onReportedHoldingSlot`).
   */
  readonly onSettled: (slotReleased: boolean, reported: boolean) => void;
  /**
   * Its outcome is about to go out while it still holds its slot (freed at the
   * teardown that follows): whoever reads the run's in-flight count from an
   * outcome observer must not see it there as well.
   */
  readonly onReportedHoldingSlot: () => void;
  /**
   * Free the journey's slot before its outcome (its execution is staged), if
   * the bound allows: `freed` runs first, then the slot goes (which may start
   * the next certificate at once). Undefined when the run lets no execution
   * do so (then the state is given no `progress`).
   */
  readonly releaseStaged?: ((freed: () => void) => void) | undefined;
}

/** The steps of a journey (see {@link CertificateJourney}). */
type Step =
  | 'loadEpochStore'
  | 'claimDigest'
  | 'checkExecuted'
  | 'onExecutedAnswer'
  | 'onCheckFailed'
  | 'attempt'
  | 'onResult'
  | 'onPromisedResult'
  | 'onCompletedEmpty'
  | 'onStaged'
  | 'onError';

/**
 * The steps of one certificate, top to bottom, as Sui's driver runs them:
 *
 *   loadEpochStore   once per certificate; another epoch is skipped
 *   claimDigest      a copy executing now is skipped; listen for abort
 *   checkExecuted    an executed certificate is skipped (sync or async answer)
 *   attempt          tryExecuteImmediately; its result arrives at onResult
 *   onResult           (onPromisedResult from a promise), where the effects
 *                      are checked against the expected digest
 *   onError          a transient error schedules another attempt, else fails
 *
 * Every step runs through `enter`, the one guard: whatever the state does
 * inside a step (throw, return the wrong shape, call back late or twice,
 * re-enter the driver) ends in exactly one typed outcome. Callbacks handed to
 * user code (promise handlers, observers, the retry timer, abort) all come back
 * through `enter`, carrying the attempt they belong to, so a late or stale
 * call is ignored, and nothing calls into the state once the outcome is out.
 * The journey holds its slot, its claim on the digest and its abort listener
 * until RxJS tears its stream down, which it does exactly once (on the
 * outcome, or on unsubscribe): that teardown is the only place they are
 * released, as a Sui task's semaphore permit is released when it is dropped.
 *
 * Written as one small object rather than a chain of operators: this runs once
 * per certificate, and a chain costs kilobytes of subscribers each time. The
 * journey is also the Observable of its one outcome that `mergeMap`
 * subscribes to (through one shared subscribe function) and its own teardown,
 * so a certificate costs one object here, not an Observable, a closure and a
 * state object (see bench/driver-allocations.ts).
 */
export class CertificateJourney extends Observable<ExecutionOutcome> implements StartedTask, AbortListener, Unsubscribable {
  /** Calls made to `tryExecuteImmediately`; identifies the callbacks of the current attempt. */
  private attempts = 0;
  private settled = false;
  private subscriber: Subscriber<ExecutionOutcome> | undefined;
  private epochStore: EpochStore | undefined;
  /** What to cancel when the journey ends: the execution subscription, or the retry timer. */
  private work: Unsubscribable | undefined;
  private claimed = false;
  private listening = false;
  /** The state said this execution is staged (`progress.staged()`), in the current attempt. */
  private staged = false;
  /** The last attempt whose result or error has arrived: its `progress` is over (a retry may be waiting). */
  private answeredAttempt = 0;
  /** Its slot was freed at staging: teardown does not free it again. */
  private slotReleased = false;
  /** Its outcome went out while it held its slot. */
  private reportedHoldingSlot = false;
  previousListener: AbortListener | undefined;
  nextListener: AbortListener | undefined;

  constructor(
    private readonly context: TaskContext,
    readonly pending: PendingCertificate,
    readonly digest: string,
    readonly receivedAt: number,
    readonly startedAt: number,
  ) {
    // One shared subscribe function, not a closure per certificate.
    super(beginJourney);
  }

  /** Calls made to `tryExecuteImmediately` so far. */
  get attemptsMade(): number {
    return this.attempts;
  }

  /**
   * Subscribed to: take the first step. A journey is one certificate's one
   * run: a second subscriber gets an empty stream, never a second outcome.
   */
  begin(subscriber: Subscriber<ExecutionOutcome>): void {
    if (this.subscriber !== undefined) {
      subscriber.complete();
      return;
    }
    this.subscriber = subscriber;
    // The journey is its own teardown, added before any step runs: whatever happens
    // next, even a throw past the guard, RxJS calls `unsubscribe` exactly once.
    subscriber.add(this);
    this.enter('loadEpochStore', undefined, 0);
  }

  /**
   * The guard. Runs `step` unless the journey has ended or `attempt` is not the
   * current one; anything the step throws becomes the certificate's failure.
   */
  private enter(step: Step, value: unknown, attempt: number): void {
    if (this.settled || attempt !== this.attempts) return;
    try {
      this.run(step, value);
    } catch (error) {
      this.fail(error, 'execution-error'); // ignored if the step had already settled
    }
  }

  private run(step: Step, value: unknown): void {
    switch (step) {
      case 'loadEpochStore':
        this.loadEpochStore();
        return;
      case 'claimDigest':
        this.claimDigest();
        return;
      case 'checkExecuted':
        this.checkExecuted();
        return;
      case 'onExecutedAnswer':
        this.onExecutedAnswer(value);
        return;
      case 'onCheckFailed':
        this.fail(value, 'execution-error');
        return;
      case 'attempt':
        this.attempt();
        return;
      case 'onResult':
        this.onResult(value, this.context.options.now());
        return;
      case 'onPromisedResult':
        // A promise's handlers run after the code that settled it has returned, so the
        // turn's reading was taken after the execution ended (see TurnClock); an
        // Observable may emit in the middle of other synchronous work, so it gets a fresh one.
        this.onResult(value, this.context.options.nowInTurn());
        return;
      case 'onCompletedEmpty':
        this.invalid('tryExecuteImmediately', 'completed without a result');
        return;
      case 'onStaged':
        this.onStaged();
        return;
      case 'onError':
        this.onError(value);
        return;
    }
  }

  private loadEpochStore(): void {
    const store = this.context.options.authorityState.loadEpochStoreOneCallPerTask(); // once per task, as Sui
    const epoch = (store as Partial<EpochStore> | null | undefined)?.epoch;
    if (typeof epoch !== 'number') {
      this.invalid('loadEpochStoreOneCallPerTask', `${describeValue(store)}, not an epoch store with a numeric epoch`);
      return;
    }
    if (this.pending.certificate.epoch !== epoch) {
      this.settle(this.skipped('wrong-epoch', epoch));
      return;
    }
    this.epochStore = store;
    this.enter('claimDigest', undefined, 0);
  }

  private claimDigest(): void {
    if (!this.context.claim(this.digest)) {
      this.settle(this.skipped('duplicate-in-flight'));
      return;
    }
    this.claimed = true;
    // On a run already aborted, `listen` calls onAbort now, which settles.
    if (!this.context.abort.listen(this)) return;
    this.listening = true;
    this.enter('checkExecuted', undefined, 0);
  }

  private checkExecuted(): void {
    const state = this.context.options.authorityState;
    // Read once (a getter cannot answer differently twice), called with the state as `this`.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const isTxAlreadyExecuted = state.isTxAlreadyExecuted;
    if (isTxAlreadyExecuted === undefined) {
      this.enter('attempt', undefined, 0);
      return;
    }
    const answer = isTxAlreadyExecuted.call(state, this.digest);
    if (typeof answer === 'boolean') {
      this.enter('onExecutedAnswer', answer, 0);
      return;
    }
    if (typeof (answer as PromiseLike<boolean> | null | undefined)?.then !== 'function') {
      this.invalid('isTxAlreadyExecuted', `${describeValue(answer)}, not a boolean or a promise of one`);
      return;
    }
    // Promise.resolve adopts any thenable; a `then` that throws becomes a rejection.
    Promise.resolve(answer).then(
      (executed) => this.enter('onExecutedAnswer', executed, 0),
      (error: unknown) => this.enter('onCheckFailed', error, 0),
    );
  }

  private onExecutedAnswer(executed: unknown): void {
    if (executed === true) this.settle(this.skipped('already-executed'));
    else if (executed === false) this.enter('attempt', undefined, 0);
    else this.invalid('isTxAlreadyExecuted', `a promise of ${describeValue(executed)}, not of a boolean`);
  }

  private attempt(): void {
    const attempt = ++this.attempts;
    // Counted as the tally counts it: a retry made, not one scheduled (a stop during the backoff makes none).
    if (attempt > 1) this.context.options.metrics?.retries.inc();
    this.work = undefined;
    this.staged = false;
    const { certificate, commit } = this.pending;
    const { authorityState } = this.context.options;
    // Only when staged executions may free their slot: otherwise the state is called as it always was.
    let input: unknown;
    try {
      input =
        this.context.releaseStaged === undefined
          ? authorityState.tryExecuteImmediately(certificate, commit?.digest, commit?.index, this.epochStore as EpochStore, this.context.abort.signal)
          : authorityState.tryExecuteImmediately(certificate, commit?.digest, commit?.index, this.epochStore as EpochStore, this.context.abort.signal, this.progress(attempt));
    } catch (error) {
      // A throw is an error of this attempt, as a rejection is: a transient one is retried.
      this.enter('onError', error, attempt);
      return;
    }
    if (input instanceof Promise) {
      // The common case, without an Observable. Handlers are attached even if the state
      // re-entered the driver and ended this journey (an abort stop): `enter` ignores them,
      // and the promise cannot become an unhandled rejection.
      (input as Promise<unknown>).then(
        (result) => this.enter('onPromisedResult', result, attempt),
        (error: unknown) => this.enter('onError', error, attempt),
      );
      return;
    }
    if (this.isOver()) return; // the state re-entered the driver (an abort stop): subscribe to nothing
    let source: ObservableType<unknown>;
    try {
      source = from(input as never);
    } catch {
      this.invalid('tryExecuteImmediately', `${describeValue(input)}, not an ObservableInput`);
      return;
    }
    const subscription = source.subscribe({
      next: (result) => this.enter('onResult', result, attempt),
      error: (error: unknown) => this.enter('onError', error, attempt),
      complete: () => this.enter('onCompletedEmpty', undefined, attempt),
    });
    if (subscription.closed) return; // it settled (or failed) while subscribing
    if (this.isOver() || attempt !== this.attempts) closeQuietly(subscription);
    else this.work = subscription;
  }

  /** The attempt's `progress`: its call comes back through the guard, so a late or stale one is ignored. */
  private progress(attempt: number): ExecutionProgress {
    return { staged: () => this.enter('onStaged', undefined, attempt) };
  }

  /** Staged: the slot may go to another certificate; the outcome waits for the result. */
  private onStaged(): void {
    // A second call, or one after this attempt's error (during the backoff before a retry, the attempt number is still its own).
    if (this.staged || this.answeredAttempt === this.attempts) return;
    this.staged = true;
    // Marked before the slot goes: freeing it may start the next certificate at once, whose code may end this journey.
    this.context.releaseStaged?.(() => {
      this.slotReleased = true;
    });
  }

  private onResult(result: unknown, endedAt: number): void {
    // Each field is read once: a getter cannot answer differently to the check and to the outcome.
    let effects: ExecutionResult['effects'] | undefined;
    let effectsDigest: unknown;
    let events: unknown;
    try {
      effects = (result as Partial<ExecutionResult> | null | undefined)?.effects;
      effectsDigest = effects?.digest;
      events = (result as Partial<ExecutionResult> | null | undefined)?.events;
    } catch (error) {
      this.invalid('tryExecuteImmediately', `reading the result threw ${describeValue(error)}`);
      return;
    }
    if (typeof effectsDigest !== 'string' || effects === undefined) {
      this.invalid('tryExecuteImmediately', `${describeValue(result)} without an effects digest`);
      return;
    }
    if (!Array.isArray(events)) {
      this.invalid('tryExecuteImmediately', `events are ${describeValue(events)}, not an array`);
      return;
    }
    const { pending, digest, startedAt } = this;
    const expected = pending.expectedEffectsDigest;
    const queueingDelayMs = startedAt - this.receivedAt;
    if (expected !== undefined && expected !== effectsDigest) {
      const error = new ForkDetectedError(pending, expected, effectsDigest);
      this.settle({ kind: 'fatal', digest, pending, queueingDelayMs, effects, events, attempts: this.attempts, error });
      return;
    }
    this.settle({
      kind: 'executed',
      digest,
      pending,
      queueingDelayMs,
      effects,
      events: events as ExecutionResult['events'],
      attempts: this.attempts,
      latencyMs: endedAt - startedAt,
    });
  }

  private onError(error: unknown): void {
    this.answeredAttempt = this.attempts;
    if (error instanceof ExecutionAbortedError) {
      this.fail(error, 'aborted');
      return;
    }
    if (error instanceof InvalidExecutionResultError) {
      this.fail(error, 'invalid-result');
      return;
    }
    const { retry, scheduler } = this.context.options;
    let transient: boolean;
    try {
      transient = retry.isTransient(error);
    } catch (thrown) {
      this.fail(new RetryClassificationError(this.digest, error, thrown), 'execution-error');
      return;
    }
    // Once staged, the effects were committed: running it again is not a retry.
    if (!transient || this.staged) {
      this.fail(error, 'execution-error');
      return;
    }
    if (this.attempts >= retry.maxAttempts) {
      this.fail(error, 'retries-exhausted');
      return;
    }
    this.context.onRetry(this, this.attempts, error);
    const attempt = this.attempts;
    // On the injected scheduler, so marble tests run backoff in virtual time.
    this.work = scheduler.schedule(() => this.enter('attempt', undefined, attempt), retry.delayBeforeRetry(attempt));
  }

  /** Abort stop: the registry has already unlinked this listener. */
  onAbort(reason: unknown): void {
    this.listening = false;
    this.fail(reason, 'aborted');
  }

  /** Torn down by RxJS, exactly once: release what the journey holds. */
  unsubscribe(): void {
    this.settled = true;
    this.cancelWork();
    if (this.claimed) this.context.unclaim(this.digest);
    if (this.listening) this.context.abort.unlisten(this);
    this.context.onSettled(this.slotReleased, this.reportedHoldingSlot);
  }

  private invalid(method: AuthorityStateMethod, problem: string): void {
    this.fail(new InvalidExecutionResultError(this.digest, problem, method), 'invalid-result');
  }

  private fail(error: unknown, reason: FailureReason): void {
    this.settle({
      kind: 'failed',
      digest: this.digest,
      pending: this.pending,
      queueingDelayMs: this.startedAt - this.receivedAt,
      reason,
      error,
      attempts: this.attempts,
    });
  }

  /** True once the outcome is out (or the stream was torn down): user code may have re-entered. */
  private isOver(): boolean {
    return this.settled;
  }

  /** The one outcome: nothing of this journey runs after it. */
  private settle(outcome: ExecutionOutcome): void {
    const { subscriber } = this;
    if (this.settled || subscriber === undefined) return; // (no step runs before `begin` sets the subscriber)
    this.settled = true;
    this.cancelWork();
    if (!this.slotReleased) {
      this.reportedHoldingSlot = true;
      this.context.onReportedHoldingSlot();
    }
    subscriber.next(outcome);
    subscriber.complete();
  }

  private cancelWork(): void {
    const { work } = this;
    this.work = undefined;
    if (work) closeQuietly(work);
  }

  private skipped(reason: SkipReason, currentEpoch?: number): ExecutionOutcome {
    const { digest, pending } = this;
    const queueingDelayMs = this.startedAt - this.receivedAt;
    return currentEpoch === undefined
      ? { kind: 'skipped', digest, pending, queueingDelayMs, reason }
      : { kind: 'skipped', digest, pending, queueingDelayMs, reason, currentEpoch };
  }
}

/**
 * What escaped a journey's guard (a bug of the driver's, since the guard
 * catches whatever the state does), with the journey it escaped: the one
 * shared `catchError` of the pipeline reads it to give that certificate its outcome.
 */
export class EscapedJourneyError extends Error {
  constructor(
    readonly journey: CertificateJourney,
    readonly escaped: unknown,
  ) {
    super(`escaped the journey of ${journey.digest}`, { cause: escaped });
    this.name = 'EscapedJourneyError';
  }
}

/** The journey's subscribe function, shared by every journey (RxJS calls it with the journey as `this`). */
function beginJourney(this: ObservableType<ExecutionOutcome>, subscriber: Subscriber<ExecutionOutcome>): void {
  const journey = this as CertificateJourney;
  try {
    journey.begin(subscriber);
  } catch (error) {
    // RxJS hands this to the subscriber's error channel, where catchError waits.
    throw new EscapedJourneyError(journey, error);
  }
}

/** Unsubscribe from the state's execution; a teardown of theirs that throws changes no outcome. */
function closeQuietly(work: Unsubscribable): void {
  try {
    work.unsubscribe();
  } catch {
    // The outcome is decided; their cleanup failing cannot change it.
  }
}
