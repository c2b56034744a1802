import fc from 'fast-check';
import { Subject, map } from 'rxjs';
import { ExecutionDriver, InvalidOptionError, MAX_DELAY_MS, type PendingCertificate } from '../lib';
import { type DriverSnapshot, LatencyWindow, periodicSnapshots } from '../lib/snapshot';
import { pending, result } from './support/certificates';
import { ScriptedAuthorityState } from './support/scripted-authority-state';
import { silentLogger } from './support/silent-logger';
import { newScheduler } from './support/marbles';


describe('LatencyWindow', () => {
  it('reports nearest-rank percentiles, and zeros before any sample', () => {
    const window = new LatencyWindow(100);
    expect(window.percentiles()).toEqual({ p50: 0, p95: 0, p99: 0, samples: 0 });
    for (let ms = 100; ms >= 1; ms--) window.add(ms);
    expect(window.percentiles()).toEqual({ p50: 50, p95: 95, p99: 99, samples: 100 });
  });

  it('covers only the most recent samples', () => {
    const window = new LatencyWindow(4);
    for (const ms of [1000, 1000, 1, 2, 3, 4]) window.add(ms);
    expect(window.percentiles()).toEqual({ p50: 2, p95: 4, p99: 4, samples: 4 });
  });

  it('agrees with sorting the last samples, whatever they are', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 64 }), (samples, size) => {
        const window = new LatencyWindow(size);
        for (const ms of samples) window.add(ms);
        const recent = samples.slice(-size).sort((a, b) => a - b);
        const rank = (p: number) => recent[Math.ceil(p * recent.length) - 1];
        expect(window.percentiles()).toEqual({ p50: rank(0.5), p95: rank(0.95), p99: rank(0.99), samples: recent.length });
      }),
    );
  });
});

describe('periodicSnapshots (marble)', () => {
  it('ticks every period with rates since the previous tick, and ends with a last snapshot', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      let executed = 0;
      const take = (): DriverSnapshot => ({
        at: scheduler.now(),
        inFlight: 0,
        maxConcurrentExecutions: 1,
        backlogSize: 0,
        paused: false,
        outcomes: { executed, skipped: { 'already-executed': 0, 'duplicate-in-flight': 0, 'wrong-epoch': 0 }, failed: {} as never, fatal: 0, retries: 0, total: executed },
        latencyMs: { p50: 0, p95: 0, p99: 0, samples: 0 },
      });
      // 5 executions by 1 s, 10 more by 2 s; the run ends at 2.5 s.
      scheduler.schedule(() => (executed = 5), 500);
      scheduler.schedule(() => (executed = 15), 1500);
      const end$ = hot('2500ms |');
      const rates = periodicSnapshots(take, 1000, scheduler, end$).pipe(map((s) => `${s.at}:${s.executedPerSecond}`));
      expectObservable(rates).toBe('1000ms a 999ms b 499ms (c|)', { a: '1000:5', b: '2000:10', c: '2500:0' });
    });
  });

  it('on a run already over, emits one last snapshot and completes', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const handle = new ExecutionDriver({
        readyCertificates: cold('(ab|)', { a: pending('a'), b: pending('b') }),
        authorityState: new ScriptedAuthorityState((c) => cold('r', { r: result(c.digest) })),
        logger: silentLogger,
        scheduler,
      }).spawn();
      scheduler.schedule(() => {
        expectObservable(handle.snapshots(100).pipe(map((s) => s.outcomes.executed))).toBe('10ms (x|)', { x: 2 });
      }, 10);
    });
  });
});

describe('ExecutionDriver.snapshot', () => {
  it('counts outcomes by kind and reason, and measures latency of executions', () => {
    const scheduler = newScheduler();
    let snapshot: DriverSnapshot | undefined;
    scheduler.run(({ cold, hot }) => {
      const state = new ScriptedAuthorityState((c) => (c.digest === 'bad' ? cold('-#', {}, new Error('boom')) : cold(`${c.digest === 'slow' ? '----' : '--'}r`, { r: result(c.digest) })));
      const handle = new ExecutionDriver({
        readyCertificates: hot('abc', { a: pending('fast'), b: pending('slow'), c: pending('bad') }),
        authorityState: state,
        logger: silentLogger,
        scheduler,
        retry: { maxAttempts: 1 },
      }).spawn();
      scheduler.schedule(() => (snapshot = handle.snapshot()), 20);
    });
    expect(snapshot).toMatchObject({
      at: 20,
      inFlight: 0,
      backlogSize: 0,
      paused: false,
      outcomes: { executed: 2, fatal: 0, total: 3, failed: { 'execution-error': 1, 'retries-exhausted': 0 } },
      latencyMs: { p50: 2, p95: 4, p99: 4, samples: 2 },
    });
  });

  it('refuses a period that is not a positive number of milliseconds', () => {
    const handle = new ExecutionDriver({
      readyCertificates: new Subject<PendingCertificate>(),
      authorityState: new ScriptedAuthorityState(() => []),
      logger: silentLogger,
    }).spawn();
    expect(() => handle.snapshots(0)).toThrow(InvalidOptionError);
    // A Node timer runs a longer period every 1 ms.
    for (const period of [2 ** 31, Infinity, NaN]) expect(() => handle.snapshots(period)).toThrow(InvalidOptionError);
    expect(() => handle.snapshots(MAX_DELAY_MS).subscribe().unsubscribe()).not.toThrow();
    void handle.stop();
  });
});

describe('the live counts, read from inside an outcome observer', () => {
  // An outcome goes out just before its execution's stream closes and frees the slot: it was counted twice, as an
  // outcome and as in flight (the basic demo's last line read "in-flight 1, backlog 0").
  it.each([
    ['a synchronous state', () => [result('x')]],
    ['an asynchronous state', () => Promise.resolve(result('x'))],
  ])('count each certificate once, as an outcome, in flight or waiting (%s)', async (_, execute) => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 4 }), async (count, limit) => {
        const ready = new Subject<PendingCertificate>();
        const state = new ScriptedAuthorityState(execute);
        const seen: { received: number; outcomes: number; inFlight: number; backlog: number; handleInFlight: number }[] = [];
        let received = 0;
        const driver = new ExecutionDriver({ readyCertificates: ready, authorityState: state, maxConcurrentExecutions: limit, logger: silentLogger });
        const handle = driver.spawn({
          next: () => {
            const snapshot = handle.snapshot();
            seen.push({ received, outcomes: snapshot.outcomes.total, inFlight: snapshot.inFlight, backlog: snapshot.backlogSize, handleInFlight: handle.inFlight });
          },
        });
        // A synchronous state gives an outcome inside `next`, before the next certificate is received.
        for (let i = 0; i < count; i++) {
          received++;
          ready.next(pending(`c${i}`));
        }
        ready.complete();
        await handle.done;
        expect(seen).toHaveLength(count);
        for (const at of seen) {
          expect(at.outcomes + at.inFlight + at.backlog).toBe(at.received);
          expect(at.handleInFlight).toBe(at.inFlight);
          expect(at.inFlight).toBeLessThanOrEqual(limit);
        }
        expect(seen.at(-1)).toEqual({ received: count, outcomes: count, inFlight: 0, backlog: 0, handleInFlight: 0 });
      }),
      { numRuns: 30 },
    );
  });
});
