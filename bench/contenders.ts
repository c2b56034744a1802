import { Observable, Subject, type Subscriber, type TeardownLogic, type Unsubscribable, catchError, finalize, mergeMap, of, tap } from 'rxjs';
import fastq from 'fastq';
import winston from 'winston';
import * as driverPackage from '../lib';
import type { AuthorityState, ExecutionResult, PendingCertificate } from '../lib';
import { DirectSubject } from '../lib/direct-subject';
import { ExecutionSlots } from '../lib/execution-slots';

/** The shared no-op execution every contender runs: an already resolved promise. */
export const RESULT: ExecutionResult = { effects: { digest: 'fx' }, events: [] };
const execute = (): Promise<ExecutionResult> => Promise.resolve(RESULT);

const EPOCH_STORE = { epoch: 0 };
const noopState: AuthorityState = {
  loadEpochStoreOneCallPerTask: () => EPOCH_STORE,
  tryExecuteImmediately: execute,
};
const silent = winston.createLogger({ silent: true });

/**
 * A contender takes a burst of certificates and returns the promise of their
 * completion. `start` pushes everything synchronously (so the caller can
 * measure the heap while the backlog is queued); `finished` settles when all ran.
 */
export interface Contender {
  readonly name: string;
  start(items: readonly PendingCertificate[], deadline: number): { finished: Promise<number> };
}

const CONCURRENCY = 16;

/** The floor: 16 async workers pulling from the array, no queue at all. */
export const promisePool: Contender = {
  name: 'raw promise pool (floor)',
  start(items) {
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        next++;
        await execute();
      }
    };
    const finished = Promise.all(Array.from({ length: CONCURRENCY }, worker)).then(() => items.length);
    return { finished };
  },
};

/** What a driver contender needs from the package: this checkout's, or another build's (`--against`). */
type DriverPackage = Pick<typeof driverPackage, 'ExecutionDriver' | 'ExecutionDriverMetrics'>;

/** A driver contender on `pkg`: this checkout's `lib/` unless another build is given. */
export function driverContender(name: string, withMetrics: boolean, pkg: DriverPackage = driverPackage): Contender {
  const { ExecutionDriver, ExecutionDriverMetrics } = pkg;
  return {
    name,
    start(items) {
      const ready = new Subject<PendingCertificate>();
      const handle = new ExecutionDriver({
        readyCertificates: ready,
        authorityState: noopState,
        maxConcurrentExecutions: CONCURRENCY,
        logger: silent,
        ...(withMetrics ? { metrics: new ExecutionDriverMetrics() } : {}),
      }).spawn();
      for (const item of items) ready.next(item);
      ready.complete();
      return { finished: handle.done.then((s) => s.executed) };
    },
  };
}

export const driver = driverContender('ExecutionDriver', false);
export const driverWithMetrics = driverContender('ExecutionDriver + metrics', true);

/** What the driver replaces: a Subject straight into mergeMap, whose buffer drains with Array#shift. */
export const naiveMergeMap: Contender = {
  name: 'naive Subject -> mergeMap',
  start(items, deadline) {
    const ready = new Subject<PendingCertificate>();
    let done = 0;
    const finished = new Promise<number>((resolve) => {
      const subscription = ready.pipe(mergeMap(() => execute(), CONCURRENCY)).subscribe({
        next: () => {
          done++;
          // Give up past the deadline: the quadratic drain would take many minutes at 1M.
          if ((done & 1023) === 0 && performance.now() > deadline) {
            subscription.unsubscribe();
            resolve(done);
          }
        },
        complete: () => resolve(done),
      });
    });
    for (const item of items) ready.next(item);
    ready.complete();
    return { finished };
  },
};

/**
 * The card's shape written plainly, and nothing else: a pump that admits 16
 * at a time into `mergeMap` through a Subject, each item a `new Observable`
 * with its own `catchError` closure, applied with `pipe`. No intake checks,
 * dedupe, epochs, retries, abort, tally or clock.
 */
export const cardShape: Contender = {
  name: 'card shape, plain (mergeMap + catchError)',
  start(items) {
    const started = new Subject<PendingCertificate>();
    let running = 0;
    let next = 0;
    let done = 0;
    const pump = () => {
      while (running < CONCURRENCY && next < items.length) {
        running++;
        started.next(items[next++] as PendingCertificate);
      }
      if (next === items.length && running === 0) started.complete();
    };
    const finished = new Promise<number>((resolve) => {
      started
        .pipe(
          mergeMap(
            (item) =>
              new Observable<ExecutionResult>((subscriber) => {
                void execute().then((result) => {
                  subscriber.next(result);
                  subscriber.complete();
                });
                return () => {
                  running--;
                  pump();
                };
              }).pipe(catchError(() => of({ effects: { digest: item.certificate.digest }, events: [] }))),
            CONCURRENCY,
          ),
        )
        .subscribe({ next: () => done++, complete: () => resolve(done) });
    });
    pump();
    return { finished };
  },
};

/** One item's inner stream as lean as RxJS allows: the Observable (through one shared subscribe function) and its own teardown. */
class SkeletonItem extends Observable<ExecutionResult> implements Unsubscribable {
  constructor(private readonly release: () => void) {
    super(subscribeSkeletonItem);
  }

  unsubscribe(): void {
    this.release();
  }
}

function subscribeSkeletonItem(this: Observable<ExecutionResult>, subscriber: Subscriber<ExecutionResult>): TeardownLogic {
  void execute().then((result) => {
    subscriber.next(result);
    subscriber.complete();
  });
  return this as SkeletonItem;
}

const isolateSkeletonItem = catchError<ExecutionResult, Observable<ExecutionResult>>(() => of(RESULT));

/**
 * The driver's skeleton with nothing on it: its slots and O(1) backlog, a
 * one-subscriber source, `mergeMap` over inner streams made as cheaply as
 * RxJS allows (one object each, one shared `catchError` applied without
 * `pipe`), `tap` and `finalize`. No intake checks, journey, dedupe, epochs,
 * retries, abort, outcome, tally or clock. What the driver costs above this is
 * its own work; what this costs above the floor is the card's shape in RxJS:
 * per item, `mergeMap`'s inner subscriber and `catchError`'s, their closures,
 * finalizer arrays and teardown. `withCatchError: false` leaves out
 * `catchError`, to show what it alone costs.
 */
function skeleton(name: string, withCatchError: boolean): Contender {
  return {
    name,
    start(items) {
      const started = new DirectSubject<PendingCertificate>();
      let done = 0;
      const slots: ExecutionSlots<PendingCertificate> = new ExecutionSlots<PendingCertificate>(
        CONCURRENCY,
        (item) => started.next(item),
        () => started.complete(),
      );
      const release = () => slots.release();
      const inner = withCatchError ? () => isolateSkeletonItem(new SkeletonItem(release)) : () => new SkeletonItem(release);
      const finished = new Promise<number>((resolve) => {
        started
          .pipe(
            // The slots hold the limit; mergeMap's bound is a net above it, as in the driver (which uses its 1,024 ceiling).
            mergeMap(inner, 1024),
            tap(() => done++),
            finalize(() => resolve(done)),
          )
          .subscribe();
      });
      for (const item of items) slots.offer(item, 0);
      slots.closeIntake();
      return { finished };
    },
  };
}

export const cardSkeleton = skeleton('card skeleton (slots → mergeMap → catchError → tap → finalize)', true);
export const mergeMapSkeleton = skeleton('card skeleton without catchError', false);

/** p-limit is ESM-only: loaded with a dynamic import (benchmarks run under tsx). */
export async function pLimitContender(): Promise<Contender> {
  const { default: pLimit } = await import('p-limit');
  return {
    name: 'p-limit',
    start(items) {
      const limit = pLimit(CONCURRENCY);
      const finished = Promise.all(items.map(() => limit(execute))).then((r) => r.length);
      return { finished };
    },
  };
}

export const fastqContender: Contender = {
  name: 'fastq',
  start(items) {
    const queue = fastq.promise(execute, CONCURRENCY);
    let done = 0;
    for (const item of items) void queue.push(item).then(() => done++);
    return { finished: queue.drained().then(() => done) };
  },
};
