import type { PendingCertificate } from './certificate';

/**
 * The vocabulary of a run's tallies, shared by outcomes, errors and
 * snapshots (its own module so that none of them imports another in a circle).
 */

/** Why a certificate was not executed. */
export type SkipReason = 'already-executed' | 'duplicate-in-flight' | 'wrong-epoch';

/** What kind of failure a `failed` outcome records; a bounded set, used as a metric label. */
export type FailureReason =
  | 'malformed-certificate'
  | 'execution-error'
  | 'retries-exhausted'
  | 'invalid-result'
  | 'aborted';

/** Outcome counts of a run so far. */
export interface OutcomeCounts {
  readonly executed: number;
  readonly skipped: Readonly<Record<SkipReason, number>>;
  readonly failed: Readonly<Record<FailureReason, number>>;
  readonly fatal: number;
  /** Retries made (attempts beyond the first). */
  readonly retries: number;
  /** Every outcome so far. */
  readonly total: number;
}

/** Counts of a run's outcomes, and the certificates it received but never started. */
export interface RunSummary {
  readonly executed: number;
  readonly skipped: Readonly<Record<SkipReason, number>>;
  readonly failed: number;
  readonly fatal: number;
  /** Retries made (attempts beyond the first), across all certificates. */
  readonly retries: number;
  /** Received but never started, because of a stop or a fork. Re-submit them to a new run. */
  readonly unstarted: readonly PendingCertificate[];
}
