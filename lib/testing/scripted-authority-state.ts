import { Observable, type ObservableInput, type SchedulerLike, from } from 'rxjs';
import type { AuthorityState, EpochStore, ExecutionResult } from '../authority-state';
import type { Certificate } from '../certificate';

/** How a scripted state answers attempt `attempt` (1-based) at executing a certificate. */
export type ExecutionScriptFunction = (certificate: Certificate, attempt: number, signal: AbortSignal | undefined) => ObservableInput<ExecutionResult>;

/** Options of {@link ScriptedAuthorityState}. */
export interface ScriptedAuthorityStateOptions {
  /** The epoch the state executes in. Default 0. */
  readonly epoch?: number;
  /** What `isTxAlreadyExecuted` reports: these digests, or this check (sync or async). Default: nothing. */
  readonly alreadyExecuted?: Iterable<string> | ((digest: string) => boolean | PromiseLike<boolean>);
  /** Record the frame (or time) each execution starts at. */
  readonly scheduler?: SchedulerLike;
}

/** One execution attempt, as the state saw it. */
export interface ExecutionStart {
  readonly digest: string;
  readonly attempt: number;
  /** When it started on the `scheduler` option's clock (else 0). */
  readonly frame: number;
}

/**
 * An `AuthorityState` whose executions a script decides, for tests of the
 * real driver. It records every attempt and measures concurrency where
 * executions run, not from the driver's own counters.
 */
export class ScriptedAuthorityState implements AuthorityState {
  /** Settable: certificates of another epoch are skipped by the driver as `wrong-epoch`. */
  epoch: number;
  /** Every attempt, in the order they started. */
  readonly starts: ExecutionStart[] = [];
  /** Each attempt's abort signal, in start order. */
  readonly signals: (AbortSignal | undefined)[] = [];
  /** Digests whose execution produced a result. */
  readonly executed = new Set<string>();
  inFlight = 0;
  maxInFlight = 0;
  epochLoads = 0;
  private readonly attempts = new Map<string, number>();
  private readonly alreadyExecuted: (digest: string) => boolean | PromiseLike<boolean>;

  constructor(
    private readonly script: ExecutionScriptFunction,
    private readonly options: ScriptedAuthorityStateOptions = {},
  ) {
    this.epoch = options.epoch ?? 0;
    const { alreadyExecuted } = options;
    if (typeof alreadyExecuted === 'function') this.alreadyExecuted = alreadyExecuted;
    else {
      const done = new Set(alreadyExecuted);
      this.alreadyExecuted = (digest) => done.has(digest);
    }
  }

  /** Digests of every attempt, in start order. */
  get calls(): string[] {
    return this.starts.map((start) => start.digest);
  }

  loadEpochStoreOneCallPerTask(): EpochStore {
    this.epochLoads++;
    return { epoch: this.epoch };
  }

  isTxAlreadyExecuted(digest: string): boolean | PromiseLike<boolean> {
    return this.alreadyExecuted(digest);
  }

  /** Attempts made at `digest` so far. */
  attemptsOf(digest: string): number {
    return this.attempts.get(digest) ?? 0;
  }

  tryExecuteImmediately(
    certificate: Certificate,
    _commitDigest: string | undefined,
    _commitIndex: number | undefined,
    _epochStore: EpochStore,
    signal?: AbortSignal,
  ): Observable<ExecutionResult> {
    return new Observable<ExecutionResult>((subscriber) => {
      const { digest } = certificate;
      const attempt = this.attemptsOf(digest) + 1;
      this.attempts.set(digest, attempt);
      this.starts.push({ digest, attempt, frame: this.options.scheduler?.now() ?? 0 });
      this.signals.push(signal);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const subscription = from(this.script(certificate, attempt, signal)).subscribe({
        next: (result) => {
          this.executed.add(digest);
          subscriber.next(result);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        this.inFlight--;
        subscription.unsubscribe();
      };
    });
  }
}
