import { type Observable, type Observer, Subject, isObservable } from 'rxjs';
import type { PendingCertificate } from './certificate';
import { DriverAlreadySpawnedError, InvalidOptionError } from './errors';
import { ExecutionRun, type StopMode } from './execute-certificates';
import type { ExecutionDriverMetrics } from './metrics';
import type { ExecutionOutcome, RunSummary } from './outcomes';
import { type ExecuteCertificatesOptions, type ResolvedOptions, resolveOptions } from './options';
import { type DriverSnapshot, type PeriodicSnapshot, periodicSnapshots } from './snapshot';
import { MAX_DELAY_MS, isTimerDelay } from './timer-limit';

/** Options of {@link ExecutionDriver}. */
export interface ExecutionDriverOptions extends ExecuteCertificatesOptions {
  /** Certificates whose inputs are available, from the TransactionManager (a `Subject` in practice). */
  readonly readyCertificates: Observable<PendingCertificate>;
}

/** Options of {@link ExecutionDriverHandle.stop}. */
export interface StopOptions {
  /** `drain` (default): in-flight executions finish. `abort`: they are aborted through their `AbortSignal`. */
  readonly mode?: StopMode;
}

/** A running driver. */
export interface ExecutionDriverHandle {
  /**
   * Every outcome, as it happens (hot: subscribe before certificates flow, or
   * pass an observer to `spawn`). Completes when the run ends, a fork included;
   * errors only if the ready source errors.
   */
  readonly outcomes$: Observable<ExecutionOutcome>;
  /**
   * Resolves with the run's summary when the source has completed (or the
   * driver was stopped) and in-flight executions have finished. Rejects with
   * `ForkDetectedError` after a fork, or `ReadySourceError` if the source
   * errored; the error's `summary` holds the counts and unstarted certificates.
   */
  readonly done: Promise<RunSummary>;
  /**
   * Stop taking certificates. Resolves with the summary once in-flight work has
   * finished or been aborted; `summary.unstarted` holds every certificate that
   * was received but never started. Calling `stop({ mode: 'abort' })` after a
   * drain stop escalates it.
   * @throws InvalidOptionError for a mode other than `drain` or `abort`.
   */
  stop(options?: StopOptions): Promise<RunSummary>;
  /** Executions running now, holding a slot (staged ones, see `maxStagedExecutions`, are not counted). */
  readonly inFlight: number;
  /** Certificates received and waiting for a slot. */
  readonly backlogSize: number;
  /** The metrics this driver records, if any. */
  readonly metrics: ExecutionDriverMetrics | undefined;
  /** The concurrency limit now. */
  readonly maxConcurrentExecutions: number;
  /**
   * Change the concurrency limit live. Raised: waiting certificates start at
   * once. Lowered: in-flight executions above it finish; nothing new starts
   * until fewer than `limit` run. No certificate is lost or run twice.
   * @throws InvalidOptionError unless an integer from 1 to `concurrencyCeiling`.
   */
  setMaxConcurrentExecutions(limit: number): void;
  /**
   * Pause intake: nothing new starts; certificates that arrive wait in the
   * backlog (nothing is dropped) and in-flight executions finish. A paused
   * run whose source completes ends only after `resume()` (or a stop, which
   * hands the backlog back in `summary.unstarted`).
   */
  pause(): void;
  /** Resume intake: waiting certificates start, up to the limit. */
  resume(): void;
  /**
   * Take back, oldest first, the certificates received and waiting for a slot
   * (never started) that `take` picks: they will not start, get no outcome,
   * and are not in `summary.unstarted`; the caller now holds them (the
   * validator pipeline hands back so those of an epoch that ended). The run
   * goes on; started executions are not touched. Every certificate is
   * offered to `take` before any is removed: if `take` throws, nothing is
   * withdrawn and the error is thrown here. `take` must not call back into
   * the driver (an error, and nothing withdrawn, if it changed the backlog).
   */
  withdraw(take: (pending: PendingCertificate) => boolean): PendingCertificate[];
  /** True while paused. */
  readonly paused: boolean;
  /** Live state: in flight, limit, backlog, paused, counts by outcome, recent latency percentiles. */
  snapshot(): DriverSnapshot;
  /**
   * A snapshot every `periodMs` (default 1,000) on the driver's scheduler, with
   * rates since the previous one; a last snapshot when the run ends, then
   * completes. Cold: each subscription has its own timer and rates.
   * @throws InvalidOptionError unless `periodMs` is > 0 and at most {@link MAX_DELAY_MS}.
   */
  snapshots(periodMs?: number): Observable<PeriodicSnapshot>;
}

/**
 * Consumes ready certificates and executes them through `AuthorityState`,
 * with bounded concurrency, per-certificate failure isolation, retries of
 * transient failures, dedupe, epoch checks, fork detection, metrics and logs.
 *
 * @example
 * const driver = new ExecutionDriver({ readyCertificates: ready$, authorityState, maxConcurrentExecutions: 32 });
 * const handle = driver.spawn();
 * handle.outcomes$.subscribe((outcome) => console.log(outcome.kind, outcome.digest));
 * const summary = await handle.done;
 */
export class ExecutionDriver {
  private readonly resolved: ResolvedOptions;
  private spawned = false;

  /** @throws InvalidOptionError when an option is missing, of the wrong type or out of range. */
  constructor(private readonly options: ExecutionDriverOptions) {
    if (!isObservable(options.readyCertificates)) {
      throw new InvalidOptionError('readyCertificates', options.readyCertificates, 'an Observable of pending certificates');
    }
    this.resolved = resolveOptions(options);
  }

  /**
   * Start the run: subscribe to the ready certificates and execute them.
   * `observer`, if given, is subscribed to the outcomes before the first
   * certificate is taken, so it sees every outcome even from a synchronous source.
   * @throws DriverAlreadySpawnedError on a second call.
   */
  spawn(observer?: Partial<Observer<ExecutionOutcome>>): ExecutionDriverHandle {
    if (this.spawned) throw new DriverAlreadySpawnedError();
    this.spawned = true;

    const outcomes = new Subject<ExecutionOutcome>();
    if (observer) outcomes.subscribe(observer);
    const run = new ExecutionRun(this.options.readyCertificates, this.resolved);

    let settle!: (summary: RunSummary) => void;
    const ended = new Promise<RunSummary>((resolve) => (settle = resolve));
    const done = ended.then((summary) => {
      const failure = run.failure;
      if (!failure) return summary;
      failure.summary = summary;
      throw failure;
    });
    // `done` may go unobserved (a caller using only `stop`): never an unhandled rejection.
    done.catch(() => undefined);

    run.start({
      // A Subject's next costs a closure and an iterator even with nobody listening: skip it then.
      next: (outcome) => {
        if (outcomes.observed) outcomes.next(outcome);
      },
      error: (error: unknown) => {
        settle(run.summary());
        outcomes.error(error);
      },
      complete: () => {
        const summary = run.summary();
        settle(summary);
        // The outcomes error only for the source, as documented, even after a fork (which `done` reports).
        const { sourceFailure } = run;
        if (sourceFailure === undefined) {
          outcomes.complete();
          return;
        }
        sourceFailure.summary = summary;
        outcomes.error(sourceFailure);
      },
    });

    return {
      outcomes$: outcomes.asObservable(),
      done,
      stop: (options) => {
        const mode: unknown = options?.mode ?? 'drain';
        if (mode !== 'drain' && mode !== 'abort') throw new InvalidOptionError('mode', mode, "'drain' or 'abort'");
        run.stop(mode);
        return ended;
      },
      get inFlight() {
        return run.inFlight;
      },
      get backlogSize() {
        return run.backlogSize;
      },
      metrics: this.resolved.metrics,
      get maxConcurrentExecutions() {
        return run.maxConcurrentExecutions;
      },
      setMaxConcurrentExecutions: (limit) => run.setMaxConcurrentExecutions(limit),
      pause: () => run.pause(),
      resume: () => run.resume(),
      withdraw: (take) => run.withdraw(take),
      get paused() {
        return run.paused;
      },
      snapshot: () => run.snapshot(),
      snapshots: (periodMs = 1000) => {
        if (!isTimerDelay(periodMs, 0, true)) throw new InvalidOptionError('periodMs', periodMs, `a number of milliseconds > 0, at most ${MAX_DELAY_MS}`);
        return periodicSnapshots(() => run.snapshot(), periodMs, this.resolved.scheduler, outcomes);
      },
    };
  }
}
