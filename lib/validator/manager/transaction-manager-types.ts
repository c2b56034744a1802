/** What the manager reports about its work: shared by the manager and its metrics. */

/**
 * What `enqueue` (or `commit`) did with one certificate. `handed-back`: it
 * waits for an object that does not exist yet and that budget is full; it is
 * also announced on `handedBack$`.
 */
export type EnqueueResult = 'pending' | 'ready' | 'already-executed' | 'already-pending' | 'already-executing' | 'wrong-epoch' | 'handed-back';

/** Why the manager let go of certificates it held, for the hand-back metric. */
export type HandBackReason = 'awaiting-creation' | 'awaiting-creation-age' | 'past-limit' | 'past-limit-age' | 'stopped' | 'stale-epoch';

/**
 * The budget a certificate counts against while held (pending or executing):
 * `ordinary` is bounded by `maxPendingAndExecuting` (with `consensus`);
 * `awaitingCreation` by `maxAwaitingCreation`; `pastLimit` holds those admitted
 * past a limit because a waiting certificate needs their outputs, bounded by
 * `maxPastLimit`; `consensus`
 * holds commit certificates, which are never refused.
 */
export type AdmissionBudget = 'ordinary' | 'awaitingCreation' | 'pastLimit' | 'consensus';

/** Certificates held (pending or executing) per budget. */
export type AdmissionLoad = Readonly<Record<AdmissionBudget, number>>;

/** Live counts, for metrics and tests. */
export interface TransactionManagerCounts {
  readonly pending: number;
  readonly executing: number;
  readonly missingObjects: number;
}
