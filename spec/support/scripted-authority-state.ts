import { type ObservableInput, Observable, from } from 'rxjs';
import type { AuthorityState, Certificate, EpochStore, ExecutionResult } from '../../lib';

/** How the scripted state answers attempt `attempt` (1-based) at executing a certificate. */
export type Script = (certificate: Certificate, attempt: number, signal: AbortSignal | undefined) => ObservableInput<ExecutionResult>;

/**
 * An AuthorityState driven by a script, which records every call and checks
 * concurrency itself: `maxInFlight` is measured where the executions run,
 * not inferred from the driver's own counters.
 */
export class ScriptedAuthorityState implements AuthorityState {
  epoch = 0;
  readonly executed = new Set<string>();
  readonly calls: string[] = [];
  readonly signals: (AbortSignal | undefined)[] = [];
  inFlight = 0;
  maxInFlight = 0;
  epochLoads = 0;
  isTxAlreadyExecuted?: (digest: string) => boolean | PromiseLike<boolean>;
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly script: Script,
    options: { alreadyExecuted?: (digest: string) => boolean | PromiseLike<boolean> } = {},
  ) {
    if (options.alreadyExecuted) this.isTxAlreadyExecuted = options.alreadyExecuted;
  }

  loadEpochStoreOneCallPerTask(): EpochStore {
    this.epochLoads++;
    return { epoch: this.epoch };
  }

  tryExecuteImmediately(
    certificate: Certificate,
    _commitDigest: string | undefined,
    _commitIndex: number | undefined,
    _epochStore: EpochStore,
    signal?: AbortSignal,
  ): Observable<ExecutionResult> {
    return new Observable<ExecutionResult>((subscriber) => {
      const attempt = (this.attempts.get(certificate.digest) ?? 0) + 1;
      this.attempts.set(certificate.digest, attempt);
      this.calls.push(certificate.digest);
      this.signals.push(signal);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const subscription = from(this.script(certificate, attempt, signal)).subscribe({
        next: (value) => {
          this.executed.add(certificate.digest);
          subscriber.next(value);
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

  attemptsOf(digest: string): number {
    return this.attempts.get(digest) ?? 0;
  }
}
