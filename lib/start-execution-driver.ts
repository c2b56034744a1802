import type { Observable, Observer } from 'rxjs';
import type { AuthorityState } from './authority-state';
import type { PendingCertificate } from './certificate';
import { ExecutionDriver, type ExecutionDriverHandle, type ExecutionDriverOptions } from './execution-driver';
import { ExecutionDriverMetrics } from './metrics';
import { DEFAULT_MAX_CONCURRENT_EXECUTIONS } from './options';
import type { ExecutionOutcome } from './outcomes';

/** The concurrency `startExecutionDriver` uses unless told otherwise. */
export const MAX_CONCURRENT_EXECUTIONS = DEFAULT_MAX_CONCURRENT_EXECUTIONS;

/**
 * Wire a driver the way the TransactionManager does: fresh metrics (on a
 * fresh `Registry`, reachable as `handle.metrics.registry`), the default
 * concurrency, and spawn it. `observer`, if given, is subscribed to the
 * outcomes before the first certificate is taken (as `spawn(observer)`), so
 * it sees every outcome even from a synchronous or replaying source.
 *
 * @example
 * const handle = startExecutionDriver(authorityState, readyCertificates$, {}, { next: (o) => console.log(o.kind) });
 * await handle.done;
 */
export function startExecutionDriver(
  authorityState: AuthorityState,
  readyCertificates: Observable<PendingCertificate>,
  options: Omit<ExecutionDriverOptions, 'authorityState' | 'readyCertificates'> = {},
  observer?: Partial<Observer<ExecutionOutcome>>,
): ExecutionDriverHandle & { readonly metrics: ExecutionDriverMetrics } {
  const metrics = options.metrics ?? new ExecutionDriverMetrics();
  const driver = new ExecutionDriver({
    maxConcurrentExecutions: MAX_CONCURRENT_EXECUTIONS,
    ...options,
    metrics,
    authorityState,
    readyCertificates,
  });
  const handle = driver.spawn(observer);
  return Object.assign(handle, { metrics });
}
