import type { PendingCertificate } from './certificate';
import type { ExecutionResult } from './authority-state';
import type { ForkDetectedError } from './errors';
import type { FailureReason, OutcomeCounts, RunSummary, SkipReason } from './run-summary';

export type { FailureReason, RunSummary, SkipReason } from './run-summary';

interface OutcomeBase {
  /** The certificate's digest (for a malformed item: its digest if it had a string one, else ''). */
  readonly digest: string;
  /** The item as received (for a malformed item, whatever arrived). */
  readonly pending: PendingCertificate;
  /** Milliseconds between receiving the certificate and starting it (0 if it never started). */
  readonly queueingDelayMs: number;
}

/** The certificate executed and its effects were committed. */
export interface ExecutedOutcome extends OutcomeBase, ExecutionResult {
  readonly kind: 'executed';
  /** Milliseconds from the first attempt to the result, retries included. */
  readonly latencyMs: number;
  readonly attempts: number;
}

/** The certificate was deliberately not executed. */
export interface SkippedOutcome extends OutcomeBase {
  readonly kind: 'skipped';
  readonly reason: SkipReason;
  /** For `wrong-epoch`: the epoch the driver was executing in. */
  readonly currentEpoch?: number;
}

/** The certificate could not be executed. The driver went on with the others. */
export interface FailedOutcome extends OutcomeBase {
  readonly kind: 'failed';
  readonly reason: FailureReason;
  readonly error: unknown;
  /** Calls made to `tryExecuteImmediately` (0 when it was never called). */
  readonly attempts: number;
}

/** The effects differ from the expected ones: a fork. The driver halts. */
export interface FatalOutcome extends OutcomeBase, ExecutionResult {
  readonly kind: 'fatal';
  readonly error: ForkDetectedError;
  readonly attempts: number;
}

/**
 * What became of one certificate. Every certificate the driver receives yields
 * exactly one outcome, unless a stop or a fork hands it back unstarted.
 */
export type ExecutionOutcome = ExecutedOutcome | SkippedOutcome | FailedOutcome | FatalOutcome;

/** Mutable tally behind a `RunSummary`. */
export class OutcomeTally {
  executed = 0;
  failed = 0;
  fatal = 0;
  retries = 0;
  readonly skipped: Record<SkipReason, number> = {
    'already-executed': 0,
    'duplicate-in-flight': 0,
    'wrong-epoch': 0,
  };
  readonly failedBy: Record<FailureReason, number> = {
    'malformed-certificate': 0,
    'execution-error': 0,
    'retries-exhausted': 0,
    'invalid-result': 0,
    aborted: 0,
  };

  add(outcome: ExecutionOutcome): void {
    switch (outcome.kind) {
      case 'executed':
        this.executed++;
        this.retries += outcome.attempts - 1;
        break;
      case 'skipped':
        this.skipped[outcome.reason]++;
        break;
      case 'failed':
        this.failed++;
        this.failedBy[outcome.reason]++;
        this.retries += Math.max(0, outcome.attempts - 1);
        break;
      case 'fatal':
        this.fatal++;
        this.retries += outcome.attempts - 1;
        break;
    }
  }

  /** Outcomes counted so far. */
  get total(): number {
    const { skipped } = this;
    return (
      this.executed +
      this.failed +
      this.fatal +
      skipped['already-executed'] +
      skipped['duplicate-in-flight'] +
      skipped['wrong-epoch']
    );
  }

  /** The counts as they stand, for a snapshot. */
  counts(): OutcomeCounts {
    return {
      executed: this.executed,
      skipped: { ...this.skipped },
      failed: { ...this.failedBy },
      fatal: this.fatal,
      retries: this.retries,
      total: this.total,
    };
  }

  summarize(unstarted: readonly PendingCertificate[]): RunSummary {
    return {
      executed: this.executed,
      skipped: { ...this.skipped },
      failed: this.failed,
      fatal: this.fatal,
      retries: this.retries,
      unstarted,
    };
  }
}
