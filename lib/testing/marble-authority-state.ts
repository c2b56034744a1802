import { Observable, type SchedulerLike, from } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { AuthorityState, EpochStore, ExecutionResult } from '../authority-state';
import type { Certificate } from '../certificate';
import { TransientExecutionError } from '../errors';

/** The `cold` helper of `TestScheduler.run`. */
export type ColdHelper = TestScheduler['createColdObservable'];

/**
 * How one certificate executes, as a marble of its execution:
 * - `r`: the result (effects digest `fx-<digest>`, see {@link resultOf});
 * - `f`: a different result (`forked-<digest>`), for fork tests;
 * - `#`: a permanent failure (an `Error`);
 * - `!`: a transient failure (`TransientExecutionError`), which the driver retries.
 * An array scripts attempts in turn (the last repeats): `['-!', '--r']`.
 */
export type ExecutionScript = string | readonly string[];

/** Options of {@link marbleAuthorityState}. */
export interface MarbleAuthorityStateOptions {
  /** The epoch the state executes in. Default 0. */
  readonly epoch?: number;
  /** Digests `isTxAlreadyExecuted` reports as done. */
  readonly alreadyExecuted?: Iterable<string>;
  /** Record the frame each execution starts at (pass the `TestScheduler`). */
  readonly scheduler?: SchedulerLike;
}

/** One execution attempt, as the state saw it. */
export interface ExecutionStart {
  readonly digest: string;
  readonly attempt: number;
  /** The frame it started at (with the `scheduler` option; else 0). */
  readonly frame: number;
}

/** The result a script's `r` emits for `digest`: effects digest `fx-<digest>`. */
export function resultOf(digest: string): ExecutionResult {
  return { effects: { digest: `fx-${digest}` }, events: [] };
}

/**
 * An `AuthorityState` scripted with marbles, per certificate digest, for
 * `TestScheduler` tests of the real driver. It records every attempt and
 * measures concurrency where executions run.
 *
 * @example
 * scheduler.run(({ cold, hot, expectObservable }) => {
 *   const state = marbleAuthorityState(cold, { a: '---r', b: '-#', c: ['-!', '-r'] });
 *   ...
 * });
 */
export function marbleAuthorityState(cold: ColdHelper, scripts: Readonly<Record<string, ExecutionScript>>, options: MarbleAuthorityStateOptions = {}): MarbleAuthorityState {
  return new MarbleAuthorityState(cold, scripts, options);
}

/** See {@link marbleAuthorityState}. */
export class MarbleAuthorityState implements AuthorityState {
  /** Settable: certificates of another epoch are skipped by the driver as `wrong-epoch`. */
  epoch: number;
  /** Every attempt, in the order they started. */
  readonly starts: ExecutionStart[] = [];
  /** Each attempt's abort signal, in start order. */
  readonly signals: (AbortSignal | undefined)[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly executed: Set<string>;
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly cold: ColdHelper,
    private readonly scripts: Readonly<Record<string, ExecutionScript>>,
    private readonly options: MarbleAuthorityStateOptions = {},
  ) {
    this.epoch = options.epoch ?? 0;
    this.executed = new Set(options.alreadyExecuted);
  }

  loadEpochStoreOneCallPerTask(): EpochStore {
    return { epoch: this.epoch };
  }

  isTxAlreadyExecuted(digest: string): boolean {
    return this.executed.has(digest);
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
    const { digest } = certificate;
    const script = this.scripts[digest];
    if (script === undefined) {
      throw new Error(`no script for certificate "${digest}": scripted digests are ${Object.keys(this.scripts).join(', ')}`);
    }
    return new Observable<ExecutionResult>((subscriber) => {
      const attempt = this.attemptsOf(digest) + 1;
      this.attempts.set(digest, attempt);
      this.starts.push({ digest, attempt, frame: this.options.scheduler?.now() ?? 0 });
      this.signals.push(signal);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const marble = typeof script === 'string' ? script : (script[Math.min(attempt, script.length) - 1] ?? '');
      const subscription = from(this.execution(digest, marble)).subscribe({
        next: (result) => {
          if (result.effects.digest === resultOf(digest).effects.digest) this.executed.add(digest);
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

  private execution(digest: string, marble: string): Observable<ExecutionResult> {
    if (marble.includes('!') && marble.includes('#')) throw new Error(`script "${marble}" of "${digest}" mixes # and !: an execution fails once`);
    const transient = marble.includes('!');
    const error = transient
      ? new TransientExecutionError(`scripted transient failure of ${digest}`)
      : new Error(`scripted failure of ${digest}`);
    return this.cold(marble.replace('!', '#'), { r: resultOf(digest), f: { effects: { digest: `forked-${digest}` }, events: [] } }, error);
  }
}
