import { type Observable, Subject } from 'rxjs';
import { ExecutionDriver, type ExecutionDriverHandle, type ExecutionDriverOptions, type ExecutionOutcome, type PendingCertificate } from '../../lib';
import { silentLogger } from './silent-logger';

/** A spawned driver whose outcomes are collected as they happen, and the source that feeds it. */
export interface CollectingDriver {
  /** Feeds the driver, unless `readyCertificates` was given. */
  readonly ready: Subject<PendingCertificate>;
  readonly outcomes: ExecutionOutcome[];
  readonly handle: ExecutionDriverHandle;
}

/**
 * Spawn a driver that logs nothing (unless given a logger), fed by a fresh
 * Subject (unless given a source), with every outcome collected in order.
 */
export function spawnCollecting(
  options: Omit<ExecutionDriverOptions, 'readyCertificates'> & { readonly readyCertificates?: Observable<PendingCertificate> },
): CollectingDriver {
  const ready = new Subject<PendingCertificate>();
  const outcomes: ExecutionOutcome[] = [];
  const handle = new ExecutionDriver({ logger: silentLogger, readyCertificates: ready, ...options }).spawn({
    next: (outcome) => outcomes.push(outcome),
  });
  return { ready, outcomes, handle };
}
