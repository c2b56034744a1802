import fc from 'fast-check';
import { Observable, type SchedulerLike, Subject, asyncScheduler, config, map, of, tap, timer } from 'rxjs';
import {
  type AuthorityState,
  ExecutionDriver,
  type ExecutionDriverHandle,
  ExecutionDriverMetrics,
  type ExecutionOutcome,
  type PendingCertificate,
  type RunSummary,
  TransientExecutionError,
} from '../lib';
import { pending, result } from './support/certificates';
import { BAD_RETURNS } from './support/hostile-states';
import { silentLogger } from './support/silent-logger';

/** What one call to `tryExecuteImmediately` does. */
type Behaviour =
  | { kind: 'resolve'; afterMs: number }
  | { kind: 'observable'; afterMs: number }
  | { kind: 'transient' }
  | { kind: 'reject' }
  | { kind: 'throw' }
  | { kind: 'fork' }
  | { kind: 'bad'; which: string }
  | { kind: 'hang'; honoursAbort: boolean };

type Answer = 'no' | 'yes' | 'async no' | 'async yes' | 'bad';

type Control = { atMs: number; kind: 'limit'; limit: number } | { atMs: number; kind: 'pause' | 'resume' } | { atMs: number; kind: 'stop'; mode: 'drain' | 'abort' };

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('resolve' as const), afterMs: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('observable' as const), afterMs: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'transient' as const }) },
  fc.constant({ kind: 'reject' as const }),
  fc.constant({ kind: 'throw' as const }),
  { weight: 1, arbitrary: fc.constant({ kind: 'fork' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('bad' as const), which: fc.constantFrom(...Object.keys(BAD_RETURNS)) }) },
  fc.record({ kind: fc.constant('hang' as const), honoursAbort: fc.boolean() }),
);

const certificate = fc.record({
  arriveAtMs: fc.integer({ min: 0, max: 10 }),
  answer: fc.constantFrom<Answer>('no', 'no', 'no', 'yes', 'async no', 'async yes', 'bad'),
  // One behaviour per attempt; past the list, the last one repeats.
  attempts: fc.array(behaviour, { minLength: 1, maxLength: 4 }),
  epoch: fc.constantFrom(0, 0, 0, 0, 1),
});

const control: fc.Arbitrary<Control> = fc.oneof(
  fc.record({ atMs: fc.integer({ min: 0, max: 15 }), kind: fc.constant('limit' as const), limit: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ atMs: fc.integer({ min: 0, max: 15 }), kind: fc.constantFrom('pause' as const, 'resume' as const) }),
  fc.record({ atMs: fc.integer({ min: 0, max: 15 }), kind: fc.constant('stop' as const), mode: fc.constantFrom('drain' as const, 'abort' as const) }),
);

/** The ready source: how many certificates it emits while being subscribed to, and whether its teardown throws. */
const sourceShape = fc.record({ syncPrefix: fc.integer({ min: 0, max: 3 }), teardownThrows: fc.boolean() });

/** The scheduler's clock: none (performance.now()), or one that answers a non-finite value every `every` readings. */
const clockShape = fc.option(fc.record({ bad: fc.constantFrom(Infinity, -Infinity, NaN), every: fc.integer({ min: 1, max: 4 }) }), { nil: undefined });

function schedulerOf(clock: { bad: number; every: number }): SchedulerLike {
  let reads = 0;
  return { now: () => (++reads % clock.every === 0 ? clock.bad : performance.now()), schedule: asyncScheduler.schedule.bind(asyncScheduler) };
}

/** Sum of a metric's series. */
async function total(metric: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
}

function behave(b: Behaviour, digest: string, signal: AbortSignal | undefined): unknown {
  switch (b.kind) {
    case 'resolve':
      return new Promise((resolve) => setTimeout(() => resolve(result(digest)), b.afterMs));
    case 'observable':
      return timer(b.afterMs).pipe(map(() => result(digest)));
    case 'transient':
      return Promise.reject(new TransientExecutionError('busy'));
    case 'reject':
      return Promise.reject(new Error('boom'));
    case 'throw':
      throw new Error('sync boom');
    case 'fork':
      return of({ effects: { digest: 'forked' }, events: [] });
    case 'bad':
      return BAD_RETURNS[b.which]?.();
    case 'hang':
      return new Promise((_resolve, reject) => {
        if (b.honoursAbort) signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
  }
}

function answerOf(answer: Answer): unknown {
  switch (answer) {
    case 'no':
      return false;
    case 'yes':
      return true;
    case 'async no':
      return Promise.resolve(false);
    case 'async yes':
      return Promise.resolve(true);
    case 'bad':
      return 42;
  }
}

describe('a hostile AuthorityState (property)', () => {
  it('whatever each call does, whatever limit changes, pauses and stops happen, whatever the source and the clock do: one outcome or hand-back per certificate, never above the limit, nothing called after an outcome, metrics as the summary', async () => {
    const unhandled: unknown[] = [];
    const previous = config.onUnhandledError;
    config.onUnhandledError = (error) => unhandled.push(error);
    const rejected = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', rejected);
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(certificate, { minLength: 1, maxLength: 16 }),
          fc.array(control, { maxLength: 6 }),
          fc.integer({ min: 1, max: 6 }),
          sourceShape,
          clockShape,
          async (certs, controls, initialLimit, shape, clock) => {
            const violations: string[] = [];
            const outcomeOf = new Map<string, ExecutionOutcome[]>();
            const attemptsOf = new Map<string, number>();
            const byDigest = new Map(certs.map((c, i) => [`c${i}`, c]));
            const box: { handle?: ExecutionDriverHandle } = {};
            const touch = (digest: string, what: string) => {
              if (outcomeOf.has(digest)) violations.push(`${what} of ${digest} after its outcome`);
            };
            const state: AuthorityState = {
              loadEpochStoreOneCallPerTask: () => {
                const { handle } = box;
                if (handle && handle.inFlight > handle.maxConcurrentExecutions) {
                  violations.push(`a start with ${handle.inFlight} in flight, limit ${handle.maxConcurrentExecutions}`);
                }
                return { epoch: 0 };
              },
              isTxAlreadyExecuted: (digest) => {
                touch(digest, 'isTxAlreadyExecuted');
                return answerOf(byDigest.get(digest)?.answer ?? 'no') as boolean;
              },
              tryExecuteImmediately: (c, _commitDigest, _commitIndex, _store, signal) => {
                touch(c.digest, 'tryExecuteImmediately');
                const attempt = (attemptsOf.get(c.digest) ?? 0) + 1;
                attemptsOf.set(c.digest, attempt);
                const script = byDigest.get(c.digest)?.attempts ?? [];
                const b = script[Math.min(attempt, script.length) - 1] ?? { kind: 'resolve', afterMs: 0 };
                return behave(b, c.digest, signal) as never;
              },
            };
            const ready = new Subject<PendingCertificate>();
            const received = new Set<string>();
            const metrics = new ExecutionDriverMetrics();
            // The first certificates arrive while the driver subscribes (a fork among them cuts the source there).
            const source = new Observable<PendingCertificate>((subscriber) => {
              for (let i = 0; i < shape.syncPrefix && i < certs.length && !subscriber.closed; i++) subscriber.next(pending(`c${i}`, { epoch: certs[i]?.epoch ?? 0 }));
              const inner = ready.subscribe(subscriber);
              return () => {
                inner.unsubscribe();
                if (shape.teardownThrows) throw new Error('source teardown boom');
              };
            });
            const handle = new ExecutionDriver({
              // Only what the driver took counts: after a stop or a fork it takes nothing more.
              readyCertificates: source.pipe(tap((p) => received.add(p.certificate.digest))),
              metrics,
              ...(clock ? { scheduler: schedulerOf(clock) } : {}),
              authorityState: state,
              maxConcurrentExecutions: initialLimit,
              concurrencyCeiling: 8,
              logger: silentLogger,
              retry: { initialDelayMs: 1, maxAttempts: 3 },
            }).spawn({
              next: (outcome) => outcomeOf.set(outcome.digest, [...(outcomeOf.get(outcome.digest) ?? []), outcome]),
            });
            box.handle = handle;
            const timers: ReturnType<typeof setTimeout>[] = [];
            let stopped: Promise<RunSummary> | undefined;
            certs.forEach((c, i) => {
              if (i >= shape.syncPrefix) timers.push(setTimeout(() => ready.next(pending(`c${i}`, { epoch: c.epoch })), c.arriveAtMs));
            });
            for (const a of controls) {
              timers.push(
                setTimeout(() => {
                  if (a.kind === 'limit') handle.setMaxConcurrentExecutions(a.limit);
                  else if (a.kind === 'pause') handle.pause();
                  else if (a.kind === 'resume') handle.resume();
                  else stopped ??= handle.stop({ mode: (a as { mode: 'drain' | 'abort' }).mode });
                }, a.atMs),
              );
            }
            // Every run ends: the source completes, intake resumes, and anything still hanging is aborted.
            await new Promise((resolve) => setTimeout(resolve, 25));
            try {
              ready.complete();
            } catch {
              // The source's teardown throws to whoever completes it: its producer, not the driver.
            }
            handle.resume();
            await new Promise((resolve) => setTimeout(resolve, 25));
            const summary = await handle.stop({ mode: 'abort' });
            for (const t of timers) clearTimeout(t);
            await new Promise((resolve) => setTimeout(resolve, 5)); // late callbacks of hostile values

            const unstarted = new Set(summary.unstarted.map((p) => p.certificate.digest));
            for (const digest of byDigest.keys()) {
              const got = outcomeOf.get(digest)?.length ?? 0;
              const handedBack = unstarted.has(digest) ? 1 : 0;
              const expected = received.has(digest) ? 1 : 0;
              if (got + handedBack !== expected) {
                violations.push(`${digest}: received ${expected}, ${got} outcomes, handed back ${handedBack}`);
              }
            }
            expect(summary.unstarted.length + [...outcomeOf.values()].flat().length).toBe(received.size);
            expect(violations).toEqual([]);
            expect(unhandled).toEqual([]);
            expect(handle.inFlight).toBe(0);
            expect({
              executed: await total(metrics.executed),
              errors: await total(metrics.errors),
              skipped: await total(metrics.skipped),
              retries: await total(metrics.retries),
            }).toEqual({
              executed: summary.executed,
              errors: summary.failed + summary.fatal,
              skipped: summary.skipped['already-executed'] + summary.skipped['duplicate-in-flight'] + summary.skipped['wrong-epoch'],
              retries: summary.retries,
            });
          },
        ),
        { numRuns: 150 },
      );
    } finally {
      config.onUnhandledError = previous;
      process.off('unhandledRejection', rejected);
    }
  }, 120_000);
});
