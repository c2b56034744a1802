import { type SchedulerLike, asyncScheduler } from 'rxjs';
import type winston from 'winston';
import type { AuthorityState } from './authority-state';
import { InvalidOptionError } from './errors';
import { DriverLog, createDefaultLogger } from './logging';
import type { ExecutionDriverMetrics } from './metrics';
import { type RetryOptions, RetryPolicy } from './retry-policy';
import { TurnClock } from './turn-clock';

/**
 * Executions in flight at once when not configured. Executions are async
 * (I/O-bound) in Node, so the limit bounds outstanding work on the store
 * rather than CPU threads; 16 keeps a store busy without flooding it.
 */
export const DEFAULT_MAX_CONCURRENT_EXECUTIONS = 16;

/** The default {@link ExecuteCertificatesOptions.concurrencyCeiling}, unless the starting limit is higher. */
export const DEFAULT_CONCURRENCY_CEILING = 1024;

/** Check a concurrency limit against the run's ceiling. @throws InvalidOptionError */
export function checkConcurrencyLimit(limit: number, ceiling: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > ceiling) {
    throw new InvalidOptionError('maxConcurrentExecutions', limit, `an integer from 1 to the concurrency ceiling (${ceiling})`);
  }
  return limit;
}

/** Options of {@link executeCertificates}. */
export interface ExecuteCertificatesOptions {
  /** Executes certificates and commits their effects. */
  readonly authorityState: AuthorityState;
  /** Executions in flight at most. Default {@link DEFAULT_MAX_CONCURRENT_EXECUTIONS}. Changeable live on a driver. */
  readonly maxConcurrentExecutions?: number;
  /**
   * The highest `maxConcurrentExecutions` may be set to while running, and the
   * concurrency argument given to `mergeMap` (a safety net: the driver's own
   * slots admit work). Default: the larger of `maxConcurrentExecutions` and 1,024.
   */
  readonly concurrencyCeiling?: number;
  /**
   * Executions that may wait for their result without holding a slot, once
   * the state said their effects are staged (`ExecutionProgress.staged`:
   * committed and visible, durable later). Past it, a staged execution keeps
   * its slot until its result: the bound is the back-pressure. Default 0: an
   * execution holds its slot until its result, and the state is given no
   * `progress`.
   */
  readonly maxStagedExecutions?: number;
  /** Retry of transient failures. Default: 3 attempts, 10 ms backoff doubling to 1 s. */
  readonly retry?: RetryOptions;
  /** Where to record metrics. Omitted: no metrics work at all. */
  readonly metrics?: ExecutionDriverMetrics;
  /** Structured logger. Default: JSON on stderr, see `createDefaultLogger`. */
  readonly logger?: winston.Logger;
  /**
   * Clock and timer for latencies and retry backoff. Pass the `TestScheduler`
   * to run retries in virtual time. Default: `performance.now()` and `asyncScheduler`.
   */
  readonly scheduler?: SchedulerLike;
}

/** Options validated and defaulted, shared by every run. */
export interface ResolvedOptions {
  readonly authorityState: AuthorityState;
  readonly maxConcurrentExecutions: number;
  readonly concurrencyCeiling: number;
  readonly maxStagedExecutions: number;
  readonly retry: RetryPolicy;
  readonly metrics: ExecutionDriverMetrics | undefined;
  readonly log: DriverLog;
  readonly scheduler: SchedulerLike;
  readonly now: () => number;
  /** `now()`, or a reading taken earlier in this synchronous turn (arrival and start times). */
  readonly nowInTurn: () => number;
}

export function resolveOptions(options: ExecuteCertificatesOptions): ResolvedOptions {
  const state = options.authorityState as AuthorityState | undefined;
  if (typeof state?.tryExecuteImmediately !== 'function' || typeof state.loadEpochStoreOneCallPerTask !== 'function') {
    throw new InvalidOptionError('authorityState', state, 'an AuthorityState with tryExecuteImmediately and loadEpochStoreOneCallPerTask');
  }
  const { logger } = options;
  if (logger !== undefined && (typeof (logger as Partial<winston.Logger> | null)?.child !== 'function' || typeof logger.isLevelEnabled !== 'function')) {
    throw new InvalidOptionError('logger', logger, 'a winston Logger');
  }
  const maxConcurrentExecutions = options.maxConcurrentExecutions ?? DEFAULT_MAX_CONCURRENT_EXECUTIONS;
  if (!Number.isSafeInteger(maxConcurrentExecutions) || maxConcurrentExecutions < 1) {
    throw new InvalidOptionError('maxConcurrentExecutions', maxConcurrentExecutions, 'an integer >= 1');
  }
  const concurrencyCeiling = options.concurrencyCeiling ?? Math.max(maxConcurrentExecutions, DEFAULT_CONCURRENCY_CEILING);
  if (!Number.isSafeInteger(concurrencyCeiling) || concurrencyCeiling < maxConcurrentExecutions) {
    throw new InvalidOptionError('concurrencyCeiling', concurrencyCeiling, `an integer >= maxConcurrentExecutions (${maxConcurrentExecutions})`);
  }
  const maxStagedExecutions = options.maxStagedExecutions ?? 0;
  if (!Number.isSafeInteger(maxStagedExecutions) || maxStagedExecutions < 0) {
    throw new InvalidOptionError('maxStagedExecutions', maxStagedExecutions, 'an integer >= 0');
  }
  const { metrics } = options;
  // Read by shape, not instanceof: a second copy of the package makes metrics the driver can use all the same.
  const shape = metrics as { trackRun?: unknown; executed?: { inc?: unknown } } | null | undefined;
  if (metrics !== undefined && (typeof shape?.trackRun !== 'function' || typeof shape.executed?.inc !== 'function')) {
    throw new InvalidOptionError('metrics', metrics, 'an ExecutionDriverMetrics');
  }
  const { scheduler } = options;
  if (scheduler !== undefined && (typeof (scheduler as Partial<SchedulerLike> | null)?.now !== 'function' || typeof scheduler.schedule !== 'function')) {
    throw new InvalidOptionError('scheduler', scheduler, 'a SchedulerLike with now() and schedule()');
  }
  return {
    authorityState: state,
    maxConcurrentExecutions,
    concurrencyCeiling,
    maxStagedExecutions,
    retry: new RetryPolicy(options.retry),
    metrics,
    log: new DriverLog(logger ?? createDefaultLogger()),
    scheduler: scheduler ?? asyncScheduler,
    ...clock(scheduler),
  };
}

function clock(scheduler: SchedulerLike | undefined): Pick<ResolvedOptions, 'now' | 'nowInTurn'> {
  const turnClock = scheduler ? new TurnClock(guardedClock(scheduler), false) : new TurnClock(() => performance.now(), true);
  return { now: () => turnClock.now(), nowInTurn: () => turnClock.nowInTurn() };
}

/**
 * The injected scheduler's clock, made safe to call anywhere: a clock that
 * throws or answers anything but a finite number (NaN, ±Infinity, a string)
 * repeats its last good reading (timings go flat) rather than break an
 * execution, a metric or the run.
 */
function guardedClock(scheduler: SchedulerLike): () => number {
  let last = 0;
  return () => {
    try {
      const now = scheduler.now();
      if (Number.isFinite(now)) last = now;
    } catch {
      // Keep the last reading.
    }
    return last;
  };
}
