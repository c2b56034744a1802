import {
  type Observable,
  type MonoTypeOperatorFunction,
  type OperatorFunction,
  type Observer,
  type Subscription,
  Observable as RxObservable,
  catchError,
  finalize,
  of,
  merge,
  mergeMap,
  tap,
} from 'rxjs';
import { AbortRegistry } from './abort-registry';
import { type PendingCertificate, describeMalformedCertificate } from './certificate';
import { describeValue } from './describe-value';
import { DirectSubject } from './direct-subject';
import { ExecutionAbortedError, type ForkDetectedError, MalformedCertificateError, ReadySourceError } from './errors';
import { ExecutionSlots } from './execution-slots';
import { type ExecutionOutcome, OutcomeTally, type RunSummary } from './outcomes';
import { type ExecuteCertificatesOptions, type ResolvedOptions, checkConcurrencyLimit, resolveOptions } from './options';
import { CertificateJourney, type EscapedJourneyError, type TaskContext } from './process-certificate';
import { recordOutcome, recordStart } from './record-outcome';
import { type DriverSnapshot, LatencyWindow } from './snapshot';

/**
 * The execution pipeline as an RxJS operator: ready certificates in, exactly
 * one {@link ExecutionOutcome} per certificate out. Each subscription is an
 * independent run. The output completes when the source has completed and
 * every received certificate has run; a fork stops intake, lets in-flight
 * executions finish, then errors with the `ForkDetectedError`, whose
 * `summary.unstarted` holds the certificates received and never started; a
 * source error is re-thrown (as `ReadySourceError`, with the summary) once
 * received certificates have run, unless a fork came first or later. A fork
 * or an unsubscribe (`take(n)` downstream included) cuts the source at once,
 * even a synchronous one still emitting. Unsubscribing aborts in-flight
 * executions through their `AbortSignal` (they get no outcome); a normal
 * completion aborts nothing.
 *
 * @example
 * readyCertificates$.pipe(executeCertificates({ authorityState, maxConcurrentExecutions: 8 }))
 *   .subscribe((outcome) => console.log(outcome.kind, outcome.digest));
 */
export function executeCertificates(
  options: ExecuteCertificatesOptions,
): OperatorFunction<PendingCertificate, ExecutionOutcome> {
  const resolved = resolveOptions(options);
  return (ready$) =>
    new RxObservable<ExecutionOutcome>((subscriber) => {
      const run = new ExecutionRun(ready$, resolved);
      // Registered before the source runs: a consumer that leaves while a synchronous source is still emitting
      // (take(n), an unsubscribe from an outcome) ends the run there, and the source is cut part-way.
      subscriber.add(() => {
        run.close();
      });
      run.start({
        next: (outcome) => {
          subscriber.next(outcome);
        },
        error: (error: unknown) => {
          subscriber.error(error);
        },
        complete: () => {
          // A fork (or a source error) ends the run with what it had received and never started: as the
          // driver's `done`, the error carries them in its summary, so that nothing taken is dropped unseen.
          // The first fork wins over a source error that came before or after it.
          const { failure } = run;
          if (failure === undefined) {
            subscriber.complete();
            return;
          }
          failure.summary = run.summary();
          subscriber.error(failure);
        },
      });
    });
}

/** How a stop treats in-flight executions: let them finish, or abort them. */
export type StopMode = 'drain' | 'abort';

/**
 * Isolation: whatever escapes one certificate's journey becomes that
 * certificate's outcome, never the run's error. A journey's stream errors
 * only with an `EscapedJourneyError`, which names the journey, so one
 * operator serves every journey instead of a `catchError` made per
 * certificate. It is applied as `isolateFailure(journey)`: what
 * `journey.pipe(isolateFailure)` does, without the array `pipe` allocates per call.
 */
const isolateFailure: MonoTypeOperatorFunction<ExecutionOutcome> = catchError((error: EscapedJourneyError) => of(escapedFailure(error)));

/** One run of the pipeline over one subscription to the ready certificates. */
export class ExecutionRun {
  private readonly slots: ExecutionSlots<PendingCertificate>;
  private readonly started$ = new DirectSubject<CertificateJourney>();
  /** Outcomes decided at intake: malformed items. */
  private readonly rejected$ = new DirectSubject<ExecutionOutcome>();
  private readonly abort: AbortRegistry;
  /** Digests executing now (at most the concurrency limit), for dedupe. */
  private readonly executing = new Set<string>();
  private readonly tally = new OutcomeTally();
  /** Journeys whose outcome went out and whose slot is freed only as their stream closes, just after. */
  private reportedHoldingSlot = 0;
  private readonly latencies = new LatencyWindow();
  private readonly context: TaskContext;
  /** The subscriber the source pushes to, set before the source runs. */
  private source: Subscription | undefined;
  /** The run's outcome stream, until it ends or the consumer leaves. */
  private outcomes: Subscription | undefined;
  /** The outcome stream has ended (completed or errored). */
  private ended = false;
  /** `close()` was called: the consumer left. */
  private closed = false;
  private unstarted: PendingCertificate[] = [];
  private sourceError: ReadySourceError | undefined;
  /** The first fork seen, if any. */
  fork: ForkDetectedError | undefined;

  constructor(
    private readonly ready$: Observable<PendingCertificate>,
    private readonly options: ResolvedOptions,
  ) {
    this.slots = new ExecutionSlots(options.maxConcurrentExecutions, this.startTask, this.noMoreStarts, options.maxStagedExecutions);
    this.abort = new AbortRegistry();
    this.context = {
      options,
      abort: this.abort,
      claim: this.claim,
      unclaim: this.unclaim,
      onSettled: (slotReleased, reported) => {
        if (reported) this.reportedHoldingSlot--;
        if (slotReleased) this.slots.stagedFinished();
        else this.slots.release();
      },
      onReportedHoldingSlot: () => {
        this.reportedHoldingSlot++;
      },
      releaseStaged: options.maxStagedExecutions > 0 ? (freed) => this.slots.releaseStaged(freed) : undefined,
      onRetry: (task, retry, error) => {
        options.log.retrying(task.digest, retry, error);
      },
    };
  }

  /** Executions holding a slot whose outcome has not gone out yet (one that has is freed as its stream closes). */
  get inFlight(): number {
    return this.slots.inFlight - this.reportedHoldingSlot;
  }

  get backlogSize(): number {
    return this.slots.backlogSize;
  }

  get maxConcurrentExecutions(): number {
    return this.slots.maxRunning;
  }

  get paused(): boolean {
    return this.slots.isPaused;
  }

  /**
   * Change the concurrency limit live. Raised: waiting certificates start at
   * once. Lowered: in-flight executions finish; nothing starts until fewer
   * than `limit` run. Nothing is lost or run twice either way.
   * @throws InvalidOptionError outside 1 to the concurrency ceiling.
   */
  setMaxConcurrentExecutions(limit: number): void {
    checkConcurrencyLimit(limit, this.options.concurrencyCeiling);
    this.slots.setLimit(limit);
    this.options.log.concurrencyChanged(limit);
  }

  /** Start nothing new: received certificates wait in the backlog; in-flight ones finish. */
  pause(): void {
    if (this.slots.isPaused) return;
    this.slots.pause();
    this.options.log.paused(true, this.slots.backlogSize);
  }

  /** Start waiting certificates again, up to the limit. */
  resume(): void {
    if (!this.slots.isPaused) return;
    this.options.log.paused(false, this.slots.backlogSize);
    this.slots.resume();
  }

  /** Live state: in flight, backlog, limit, counts by outcome, recent latency percentiles. */
  snapshot(): DriverSnapshot {
    return {
      at: this.options.now(),
      inFlight: this.inFlight,
      maxConcurrentExecutions: this.slots.maxRunning,
      backlogSize: this.slots.backlogSize,
      paused: this.slots.isPaused,
      outcomes: this.tally.counts(),
      latencyMs: this.latencies.percentiles(),
    };
  }

  /**
   * Run: outcomes go to `subscriber`, which is told `complete` when the run
   * has ended (read `failure` for a fork or a source error), and `error` only
   * if the pipeline itself broke.
   */
  start(subscriber: Observer<ExecutionOutcome>): void {
    const { options } = this;
    const untrack = options.metrics?.trackRun(this);
    const outcomes = merge(
      this.rejected$,
      this.started$.pipe(
        // Slots admit at most the current limit (each journey frees its slot on
        // teardown), so mergeMap never buffers.
        mergeMap(
          // Each journey is one certificate's inner stream, with catchError inside it.
          (journey) => isolateFailure(journey),
          // The slots hold the (live) limit; mergeMap's bound is a safety net above it (staged journeys hold no slot).
          options.concurrencyCeiling + options.maxStagedExecutions,
        ),
      ),
    ).pipe(
      tap((outcome) => {
        this.tally.add(outcome);
        if (outcome.kind === 'executed') this.latencies.add(outcome.latencyMs);
        recordOutcome(outcome, options);
        if (outcome.kind === 'fatal') this.haltOnFork(outcome.error);
      }),
      finalize(() => {
        untrack?.();
        options.log.drained(this.summary());
      }),
    );
    this.outcomes = outcomes.subscribe({
      next: (outcome) => {
        subscriber.next(outcome);
      },
      error: (error: unknown) => {
        this.ended = true;
        subscriber.error(error);
      },
      complete: () => {
        this.ended = true;
        subscriber.complete();
      },
    });
    if (this.closed) return;
    // The source is subscribed through a subscriber held before it runs, so that a stop, a fork or a consumer that
    // leaves can cut a synchronous source part-way, as RxJS operators do.
    const source = new RxObservable<PendingCertificate>((sourceSubscriber) => {
      this.source = sourceSubscriber;
      return this.ready$.subscribe(sourceSubscriber);
    });
    try {
      source.subscribe({
        next: this.receive,
        error: (error: unknown) => {
          if (this.slots.isHalted) return; // stopped: the run's end is decided
          this.sourceError = new ReadySourceError(error);
          this.slots.closeIntake();
        },
        complete: () => {
          this.slots.closeIntake();
        },
      });
    } catch {
      // Only the source's own teardown, run at once because the run was stopped while it was subscribing, throws
      // out of here (a throwing subscribe function reaches the error channel): the run is stopped either way.
    }
  }

  /**
   * The consumer left: stop intake, tear in-flight journeys down (no outcome is
   * made for a consumer that is gone, nor logged or counted) and abort the
   * signal, so that the state can cancel their work. After the run's end it
   * only lets go of the source: a normal completion aborts nothing.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ended) {
      this.cutSource();
      return;
    }
    this.stop('drain');
    this.outcomes?.unsubscribe();
    this.abort.abort(new ExecutionAbortedError());
  }

  /** Take back the received, unstarted certificates `take` picks: they get no outcome, and are not in `summary.unstarted`. */
  withdraw(take: (pending: PendingCertificate) => boolean): PendingCertificate[] {
    return this.slots.withdraw(take);
  }

  /** Stop intake; return the certificates received but never started. */
  stop(mode: StopMode): readonly PendingCertificate[] {
    this.cutSource();
    // Not push(...halted): a large backlog would overflow the argument stack.
    for (const pending of this.slots.halt()) this.unstarted.push(pending);
    if (mode === 'abort') this.abort.abort(new ExecutionAbortedError());
    return this.unstarted;
  }

  /** Unsubscribe from the source; a teardown of theirs that throws cannot stop the stop. */
  private cutSource(): void {
    const { source } = this;
    if (source === undefined || source.closed) return;
    try {
      source.unsubscribe();
    } catch {
      // Their cleanup failed; the run has let go of the source all the same.
    }
  }

  summary(): RunSummary {
    return this.tally.summarize(this.unstarted);
  }

  /** The source's error, if it errored before the run was stopped. */
  get sourceFailure(): ReadySourceError | undefined {
    return this.sourceError;
  }

  /** The error that ended the run, if any: the first fork, else a source failure. */
  get failure(): ForkDetectedError | ReadySourceError | undefined {
    return this.fork ?? this.sourceError;
  }

  private readonly receive = (pending: PendingCertificate): void => {
    // Stopped (a source still emitting while it is subscribed to, before it could be unsubscribed): nothing will
    // start it, and no outcome can be given any more, so it is handed back with the other unstarted ones.
    if (this.slots.isHalted) {
      this.unstarted.push(pending);
      return;
    }
    // A throw here would reach the source's subscriber and escape as an uncaught error.
    let problem: string | undefined;
    try {
      problem = describeMalformedCertificate(pending);
    } catch (error) {
      problem = `reading it threw ${describeValue(error)}`;
    }
    if (problem !== undefined) {
      this.rejected$.next(malformed(pending, problem));
      return;
    }
    if (!this.slots.offer(pending, this.options.nowInTurn())) this.unstarted.push(pending);
  };

  private readonly startTask = (pending: PendingCertificate, receivedAt: number): void => {
    const digest = readDigest(pending);
    if (digest === undefined) {
      // Checked at intake: only an item whose getters answer differently gets here.
      this.rejected$.next(malformed(pending, 'certificate digest changed after intake'));
      this.slots.release();
      return;
    }
    const journey = new CertificateJourney(this.context, pending, digest, receivedAt, this.options.nowInTurn());
    recordStart(journey, this.options);
    this.started$.next(journey);
  };

  /** Claim `digest` for a task about to execute; false if a copy is executing already. */
  private readonly claim = (digest: string): boolean => {
    // One hash lookup, not two: add, and see whether the set grew.
    const before = this.executing.size;
    return this.executing.add(digest).size > before;
  };

  private readonly unclaim = (digest: string): void => {
    this.executing.delete(digest);
  };

  private readonly noMoreStarts = (): void => {
    this.rejected$.complete();
    this.started$.complete();
  };

  private haltOnFork(error: ForkDetectedError): void {
    this.fork ??= error;
    this.stop('drain');
  }
}

function malformed(received: unknown, problem: string): ExecutionOutcome {
  const digest = readDigest(received);
  return {
    kind: 'failed',
    reason: 'malformed-certificate',
    digest: digest ?? '',
    pending: received as PendingCertificate,
    queueingDelayMs: 0,
    error: new MalformedCertificateError(problem, received),
    attempts: 0,
  };
}

/** The digest of whatever arrived, if it has a string one; never throws. */
function readDigest(received: unknown): string | undefined {
  try {
    const digest = (received as { certificate?: { digest?: unknown } } | null)?.certificate?.digest;
    return typeof digest === 'string' ? digest : undefined;
  } catch {
    return undefined;
  }
}

/** A failed outcome for what escaped a journey's guard. */
function escapedFailure({ journey, escaped }: EscapedJourneyError): ExecutionOutcome {
  return {
    kind: 'failed',
    reason: 'execution-error',
    digest: journey.digest,
    pending: journey.pending,
    queueingDelayMs: journey.startedAt - journey.receivedAt,
    error: escaped,
    attempts: journey.attemptsMade,
  };
}
