import { Subject, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  DEFAULT_CONCURRENCY_CEILING,
  type DriverSnapshot,
  type ExecutionDriverHandle,
  ExecutionDriverMetrics,
  InvalidOptionError,
  type PendingCertificate,
  type RunSummary,
} from '../lib';
import { brief, pending, result } from './support/certificates';
import { ScriptedAuthorityState } from './support/scripted-authority-state';
import { driver, newScheduler } from './support/marbles';



const letters = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((l) => [l, pending(l)]));
const executed = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((l) => [l, `executed:${l}`]));

/** A state whose executions take `frames` frames, recording `digest@frame` at each start. */
function timedState(scheduler: TestScheduler, cold: TestScheduler['createColdObservable'], frames: number) {
  const starts: string[] = [];
  const state = new ScriptedAuthorityState((c) => {
    starts.push(`${c.digest}@${scheduler.now()}`);
    return cold(`${'-'.repeat(frames)}r`, { r: result(c.digest) });
  });
  return { state, starts };
}

describe('ExecutionDriver: live concurrency limit (marble)', () => {
  it('raised: waiting certificates start at once', () => {
    const scheduler = newScheduler();
    let starts: string[] = [];
    scheduler.run(({ cold, hot, expectObservable }) => {
      const timed = timedState(scheduler, cold, 6);
      starts = timed.starts;
      const handle = driver({ readyCertificates: hot('(abcd)', letters), authorityState: timed.state, maxConcurrentExecutions: 1, scheduler }).spawn();
      scheduler.schedule(() => handle.setMaxConcurrentExecutions(3), 1);
      expectObservable(handle.outcomes$.pipe(map(brief))).toBe('------a(bc)-d', executed);
    });
    expect(starts).toEqual(['a@0', 'b@1', 'c@1', 'd@6']);
  });

  it('lowered: in-flight executions finish, and nothing starts until fewer than the new limit run', () => {
    const scheduler = newScheduler();
    let starts: string[] = [];
    let during: DriverSnapshot | undefined;
    let state!: ScriptedAuthorityState;
    scheduler.run(({ cold, hot, expectObservable }) => {
      const timed = timedState(scheduler, cold, 6);
      ({ starts, state } = timed);
      const handle = driver({ readyCertificates: hot('(abcde)', letters), authorityState: state, maxConcurrentExecutions: 3, scheduler }).spawn();
      scheduler.schedule(() => handle.setMaxConcurrentExecutions(1), 1);
      scheduler.schedule(() => (during = handle.snapshot()), 2);
      expectObservable(handle.outcomes$.pipe(map(brief))).toBe('------(abc)-d-----e', executed);
    });
    expect(starts).toEqual(['a@0', 'b@0', 'c@0', 'd@6', 'e@12']);
    expect(during).toMatchObject({ inFlight: 3, maxConcurrentExecutions: 1, backlogSize: 2 });
    expect(state.maxInFlight).toBe(3);
  });

  it('refuses a limit below 1, fractional, or above the ceiling, and leaves the limit as it was', () => {
    const handle = driver({ readyCertificates: new Subject<PendingCertificate>(), authorityState: new ScriptedAuthorityState(() => []), maxConcurrentExecutions: 4, concurrencyCeiling: 8 }).spawn();
    for (const bad of [0, -1, 1.5, 9, Number.NaN]) expect(() => handle.setMaxConcurrentExecutions(bad)).toThrow(InvalidOptionError);
    expect(handle.maxConcurrentExecutions).toBe(4);
    handle.setMaxConcurrentExecutions(8);
    expect(handle.maxConcurrentExecutions).toBe(8);
    void handle.stop();
  });

  it('takes its ceiling from the options: at least 1,024 by default, never below the starting limit', () => {
    const state = new ScriptedAuthorityState(() => []);
    const ready = new Subject<PendingCertificate>();
    const byDefault = driver({ readyCertificates: ready, authorityState: state }).spawn();
    byDefault.setMaxConcurrentExecutions(DEFAULT_CONCURRENCY_CEILING);
    expect(() => byDefault.setMaxConcurrentExecutions(DEFAULT_CONCURRENCY_CEILING + 1)).toThrow(/concurrency ceiling \(1024\)/);
    expect(() => driver({ readyCertificates: ready, authorityState: state, maxConcurrentExecutions: 8, concurrencyCeiling: 4 })).toThrow(
      InvalidOptionError,
    );
    expect(driver({ readyCertificates: ready, authorityState: state, maxConcurrentExecutions: 2048 }).spawn().maxConcurrentExecutions).toBe(2048);
    void byDefault.stop();
  });
});

describe('ExecutionDriver: pause and resume (marble)', () => {
  it('while paused, arrivals wait in the backlog and in-flight work finishes; resume starts them', () => {
    const scheduler = newScheduler();
    let starts: string[] = [];
    let paused: DriverSnapshot | undefined;
    scheduler.run(({ cold, hot, expectObservable }) => {
      const timed = timedState(scheduler, cold, 2);
      starts = timed.starts;
      const handle = driver({ readyCertificates: hot('a-b-c', letters), authorityState: timed.state, maxConcurrentExecutions: 2, scheduler }).spawn();
      scheduler.schedule(() => handle.pause(), 1);
      scheduler.schedule(() => (paused = handle.snapshot()), 5);
      scheduler.schedule(() => handle.resume(), 6);
      expectObservable(handle.outcomes$.pipe(map(brief))).toBe('--a-----(bc)', executed);
    });
    expect(starts).toEqual(['a@0', 'b@6', 'c@6']);
    expect(paused).toMatchObject({ paused: true, inFlight: 0, backlogSize: 2 });
  });

  it('a paused run whose source completes ends only once resumed', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, hot, expectObservable }) => {
      const timed = timedState(scheduler, cold, 2);
      const handle = driver({ readyCertificates: hot('a-b|', letters), authorityState: timed.state, scheduler }).spawn();
      scheduler.schedule(() => handle.pause(), 1);
      scheduler.schedule(() => handle.resume(), 6);
      expectObservable(handle.outcomes$.pipe(map(brief))).toBe('--a-----(b|)', executed);
    });
  });

  it('a drain stop while paused hands the backlog back, unstarted', async () => {
    const scheduler = newScheduler();
    let stopped: Promise<RunSummary> | undefined;
    scheduler.run(({ cold, hot, expectObservable }) => {
      const timed = timedState(scheduler, cold, 2);
      const handle = driver({ readyCertificates: hot('a-b-c', letters), authorityState: timed.state, scheduler }).spawn();
      scheduler.schedule(() => handle.pause(), 1);
      scheduler.schedule(() => {
        stopped = handle.stop();
      }, 5);
      expectObservable(handle.outcomes$.pipe(map(brief))).toBe('--a--|', executed);
    });
    const summary = await stopped;
    expect(summary?.unstarted.map((p) => p.certificate.digest)).toEqual(['b', 'c']);
  });

  it('shows the limit and the pause in the metrics', async () => {
    const metrics = new ExecutionDriverMetrics();
    const handle: ExecutionDriverHandle = driver({
      readyCertificates: new Subject<PendingCertificate>(),
      authorityState: new ScriptedAuthorityState(() => []),
      maxConcurrentExecutions: 4,
      metrics,
    }).spawn();
    handle.pause();
    handle.setMaxConcurrentExecutions(7);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^execution_driver_max_concurrent_executions 7$/m);
    expect(text).toMatch(/^execution_driver_paused 1$/m);
    handle.resume();
    expect(await metrics.registry.metrics()).toMatch(/^execution_driver_paused 0$/m);
    void handle.stop();
  });
});
