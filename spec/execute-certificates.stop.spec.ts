import { NEVER, Observable, Subject, concat, from, fromEvent, lastValueFrom, map, take, takeUntil, throwError, timer, toArray } from 'rxjs';
import {
  type AuthorityState,
  ExecutionAbortedError,
  ExecutionDriver,
  ExecutionDriverMetrics,
  type ExecutionOutcome,
  type ExecutionResult,
  ForkDetectedError,
  type PendingCertificate,
  ReadySourceError,
  type RunSummary,
  executeCertificates,
} from '../lib';
import { brief, pending, result } from './support/certificates';
import { capturingLogger, silentLogger } from './support/silent-logger';

/*
 * How a run ends when the source, the state or the consumer misbehaves around
 * a stop: a source whose teardown throws, a fork while the source errors, an
 * execution that finishes during an abort, a consumer that leaves.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** 'resolved', 'rejected <name>', or 'never' if `promise` has not settled within `ms` (generous: a loaded CI machine must not read slow as never). */
const settled = (promise: Promise<unknown>, ms = 2_000) =>
  Promise.race([promise.then(() => 'resolved', (error: unknown) => `rejected ${(error as Error).name}`), sleep(ms).then(() => 'never')]);
const digests = (summary: RunSummary | undefined) => summary?.unstarted.map((p) => p.certificate.digest);

/** Answers every certificate on a later timer; `fork` gives `a` other effects than it expects. */
function laterState(ms = 5, starts: string[] = []): AuthorityState {
  return {
    loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
    tryExecuteImmediately: (certificate) => {
      starts.push(certificate.digest);
      return new Promise((resolve) => setTimeout(() => resolve(result(certificate.digest)), ms));
    },
  };
}
const forking = (digest: string) => pending(digest, { expectedEffectsDigest: 'fx-elsewhere' });

/** A source that relays `ready` and whose teardown throws (a buggy wrapper). */
function throwingTeardown(ready: Subject<PendingCertificate>): Observable<PendingCertificate> {
  return new Observable((subscriber) => {
    const inner = ready.subscribe(subscriber);
    return () => {
      inner.unsubscribe();
      throw new Error('source teardown boom');
    };
  });
}

describe('a stop with an abort, while an execution finishes during it', () => {
  it('gives every in-flight certificate one outcome and resolves, when cancelling one releases another', async () => {
    // c holds a lock b waits on: c's cancellation (on the abort) lets b finish synchronously while the abort
    // walks the executions; a ignores the signal.
    const lock = new Subject<void>();
    const ready = new Subject<PendingCertificate>();
    const seen: string[] = [];
    const state: AuthorityState = {
      loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
      tryExecuteImmediately: (certificate) => {
        if (certificate.digest === 'a') return NEVER;
        if (certificate.digest === 'b') return new Observable((s) => lock.subscribe(() => s.next(result('b'))));
        return new Observable(() => () => {
          lock.next();
        });
      },
    };
    const handle = new ExecutionDriver({ readyCertificates: ready, authorityState: state, logger: silentLogger, maxConcurrentExecutions: 3 }).spawn({
      next: (o) => seen.push(brief(o)),
    });
    // Started c first: the abort walks executions in start order, so c's cancellation frees b before b's turn.
    for (const digest of ['c', 'b', 'a']) ready.next(pending(digest));
    expect(await settled(handle.stop({ mode: 'abort' }))).toBe('resolved');
    expect(seen.sort()).toEqual(['executed:b', 'failed:a:aborted', 'failed:c:aborted']);
    expect(handle.inFlight).toBe(0);
  });
});

describe('an abort stop, with a state that answers the signal at once', () => {
  // The state's own 'abort' listener ends its execution synchronously, the RxJS way: an error, or a takeUntil
  // completion with no result. Either used to reach the driver first and blame the state.
  const honouring: Record<string, (signal: AbortSignal) => Observable<ExecutionResult>> = {
    'errors from its abort listener': (signal) =>
      new Observable<ExecutionResult>((subscriber) => {
        const cancel = () => subscriber.error(new Error('cancelled'));
        signal.addEventListener('abort', cancel);
        return () => signal.removeEventListener('abort', cancel);
      }),
    'completes with takeUntil(fromEvent(signal, "abort"))': (signal) => timer(60_000).pipe(map(() => result('late')), takeUntil(fromEvent(signal, 'abort'))),
  };
  it.each(Object.keys(honouring))('ends each in-flight execution as aborted when it %s', async (name) => {
    const make = honouring[name] as (signal: AbortSignal) => Observable<ExecutionResult>;
    const state: AuthorityState = { loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }), tryExecuteImmediately: (_c, _d, _i, _e, signal) => make(signal as AbortSignal) };
    const ready = new Subject<PendingCertificate>();
    const seen: { text: string; error: unknown }[] = [];
    const handle = new ExecutionDriver({ readyCertificates: ready, authorityState: state, logger: silentLogger, maxConcurrentExecutions: 2 }).spawn({
      next: (o) => seen.push({ text: brief(o), error: (o as { error?: unknown }).error }),
    });
    for (const digest of ['a', 'b']) ready.next(pending(digest));
    const summary = await handle.stop({ mode: 'abort' });
    expect(seen.map((o) => o.text)).toEqual(['failed:a:aborted', 'failed:b:aborted']);
    for (const { error } of seen) expect(error).toBeInstanceOf(ExecutionAbortedError);
    expect(summary.failed).toBe(2);
  });
});

describe('a ready source whose teardown throws', () => {
  it('a stop neither throws nor hangs, and hands the backlog back', async () => {
    const ready = new Subject<PendingCertificate>();
    const handle = new ExecutionDriver({ readyCertificates: throwingTeardown(ready), authorityState: laterState(), logger: silentLogger, maxConcurrentExecutions: 1 }).spawn();
    ready.next(pending('a'));
    ready.next(pending('b'));
    const stopped = handle.stop();
    expect(await settled(handle.done)).toBe('resolved');
    expect(digests(await stopped)).toEqual(['b']);
    expect(ready.observed).toBe(false);
  });

  it('a fork ends the run: done rejects with it, nothing in flight', async () => {
    const ready = new Subject<PendingCertificate>();
    const handle = new ExecutionDriver({ readyCertificates: throwingTeardown(ready), authorityState: laterState(), logger: silentLogger, maxConcurrentExecutions: 1 }).spawn();
    ready.next(forking('a'));
    ready.next(pending('b'));
    expect(await settled(handle.done)).toBe('rejected ForkDetectedError');
    expect(handle.inFlight).toBe(0);
    expect(digests(await handle.done.catch((e: unknown) => (e as ForkDetectedError).summary))).toEqual(['b']);
  });

  it('the operator unsubscribes without a throw, and starts nothing more', async () => {
    const ready = new Subject<PendingCertificate>();
    const starts: string[] = [];
    const subscription = throwingTeardown(ready).pipe(executeCertificates({ authorityState: laterState(5, starts), logger: silentLogger, maxConcurrentExecutions: 1 })).subscribe();
    ready.next(pending('a'));
    ready.next(pending('b'));
    expect(() => {
      subscription.unsubscribe();
    }).not.toThrow();
    await sleep(20);
    expect(starts).toEqual(['a']);
  });
});

describe('a fork, and a source that errors', () => {
  // a forks after the source has emitted b and c and errored: the fork decides the run's end.
  const source = () => concat(from([forking('a'), pending('b'), pending('c')]), throwError(() => new Error('source broke')));

  it('the operator errors with the fork, whose summary hands back what never started', async () => {
    const error: unknown = await lastValueFrom(source().pipe(executeCertificates({ authorityState: laterState(), logger: silentLogger, maxConcurrentExecutions: 1 }))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ForkDetectedError);
    expect(digests((error as ForkDetectedError).summary)).toEqual(['b', 'c']);
  });

  it('the driver rejects done with the fork; its outcomes error with the source error, which carries the summary too', async () => {
    const handle = new ExecutionDriver({ readyCertificates: source(), authorityState: laterState(), logger: silentLogger, maxConcurrentExecutions: 1 }).spawn();
    let outcomesError: unknown;
    handle.outcomes$.subscribe({ error: (e: unknown) => (outcomesError = e) });
    const error: unknown = await handle.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForkDetectedError);
    expect(digests((error as ForkDetectedError).summary)).toEqual(['b', 'c']);
    expect(outcomesError).toBeInstanceOf(ReadySourceError);
    expect(digests((outcomesError as ReadySourceError).summary)).toEqual(['b', 'c']);
  });
});

describe('the operator, when its consumer is done', () => {
  it('leaves the shared signal alone after a normal completion', async () => {
    const signals: AbortSignal[] = [];
    const state: AuthorityState = {
      loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
      tryExecuteImmediately: (certificate, _digest, _index, _store, signal) => {
        if (signal) signals.push(signal);
        return Promise.resolve(result(certificate.digest));
      },
    };
    const outcomes = await lastValueFrom(from([pending('a'), pending('b')]).pipe(executeCertificates({ authorityState: state, logger: silentLogger }), toArray()));
    expect(outcomes.map(brief)).toEqual(['executed:a', 'executed:b']);
    expect(signals).toHaveLength(2);
    expect(signals[0]?.aborted).toBe(false);
  });

  it('aborts the signal when it leaves early, and neither logs nor counts the certificates it cut short as failures', async () => {
    const { logger, transport } = capturingLogger('info');
    const metrics = new ExecutionDriverMetrics();
    const signals: AbortSignal[] = [];
    const state: AuthorityState = {
      loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
      tryExecuteImmediately: (certificate, _digest, _index, _store, signal) => {
        if (signal) signals.push(signal);
        return certificate.digest === 'a' ? Promise.resolve(result('a')) : NEVER;
      },
    };
    const seen: ExecutionOutcome[] = await lastValueFrom(
      from([pending('a'), pending('b'), pending('c')]).pipe(executeCertificates({ authorityState: state, logger, metrics }), take(1), toArray()),
    );
    expect(seen.map(brief)).toEqual(['executed:a']);
    expect(signals[0]?.aborted).toBe(true);
    expect(transport.entries.filter((entry) => entry.level === 'error')).toEqual([]);
    expect((await metrics.errors.get()).values.filter((v) => v.value > 0)).toEqual([]);
  });
});
