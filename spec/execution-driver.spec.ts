import { Subject, map, of } from 'rxjs';
import {
  DriverAlreadySpawnedError,
  ExecutionAbortedError,
  type ExecutionOutcome,
  ForkDetectedError,
  type PendingCertificate,
  ReadySourceError,
  type RunSummary,
  TransientExecutionError,
} from '../lib';
import { brief, pending, result } from './support/certificates';
import { ScriptedAuthorityState } from './support/scripted-authority-state';
import { driver, newScheduler } from './support/marbles';



const letters = { a: pending('a'), b: pending('b'), c: pending('c'), d: pending('d') };

describe('ExecutionDriver: stop (marble)', () => {
  it('drain: stops intake, finishes the in-flight execution, returns the unstarted certificates', async () => {
    const scheduler = newScheduler();
    let stopped: Promise<RunSummary> | undefined;
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const state = new ScriptedAuthorityState((c) => cold('--r', { r: result(c.digest) }));
      const ready$ = hot('abcd', letters);
      const handle = driver({ readyCertificates: ready$, authorityState: state, maxConcurrentExecutions: 1, scheduler }).spawn();
      scheduler.schedule(() => {
        stopped = handle.stop({ mode: 'drain' });
      }, 3);
      expectObservable(handle.outcomes$.pipe(map(brief))).toBe('--a-(b|)', { a: 'executed:a', b: 'executed:b' });
      expectSubscriptions(ready$.subscriptions).toBe('^--!');
    });
    const summary = await stopped;
    expect(summary?.executed).toBe(2);
    // c arrived while b ran; the stop at frame 3 came before d, which was never taken.
    expect(summary?.unstarted.map((p) => p.certificate.digest)).toEqual(['c']);
  });

  it('abort: aborts the in-flight execution through its signal with an aborted outcome', async () => {
    const scheduler = newScheduler();
    let stopped: Promise<RunSummary> | undefined;
    let state!: ScriptedAuthorityState;
    scheduler.run(({ cold, hot, expectObservable }) => {
      const executions = { a: cold('--r', { r: result('a') }), b: cold('-----r', { r: result('b') }) };
      state = new ScriptedAuthorityState((c) => executions[c.digest as 'a' | 'b']);
      const handle = driver({ readyCertificates: hot('abc', letters), authorityState: state, maxConcurrentExecutions: 1, scheduler }).spawn();
      scheduler.schedule(() => {
        stopped = handle.stop({ mode: 'abort' });
      }, 3);
      expectObservable(handle.outcomes$.pipe(map(brief))).toBe('--a(b|)', { a: 'executed:a', b: 'failed:b:aborted' });
    });
    const summary = await stopped;
    expect(summary?.failed).toBe(1);
    expect(summary?.unstarted.map((p) => p.certificate.digest)).toEqual(['c']);
    expect(state.signals[1]?.aborted).toBe(true);
    expect(state.signals[1]?.reason).toBeInstanceOf(ExecutionAbortedError);
    expect(state.inFlight).toBe(0);
  });

  it('abort after drain escalates: the draining execution is aborted', async () => {
    const scheduler = newScheduler();
    let summary: Promise<RunSummary> | undefined;
    scheduler.run(({ cold, hot, expectObservable }) => {
      const state = new ScriptedAuthorityState(() => cold('------r', { r: result('a') }));
      const handle = driver({ readyCertificates: hot('ab', letters), authorityState: state, maxConcurrentExecutions: 1, scheduler }).spawn();
      scheduler.schedule(() => void handle.stop({ mode: 'drain' }), 2);
      scheduler.schedule(() => {
        summary = handle.stop({ mode: 'abort' });
      }, 4);
      expectObservable(handle.outcomes$.pipe(map(brief))).toBe('----(a|)', { a: 'failed:a:aborted' });
    });
    expect((await summary)?.unstarted.map((p) => p.certificate.digest)).toEqual(['b']);
  });
});

describe('ExecutionDriver: done', () => {
  it('resolves with counts by outcome kind when the source completes', async () => {
    const ready = new Subject<PendingCertificate>();
    const state: ScriptedAuthorityState = new ScriptedAuthorityState(
      async (c) => {
        await Promise.resolve();
        if (c.digest === 'bad') throw new Error('boom');
        return result(c.digest);
      },
      { alreadyExecuted: (digest) => state.executed.has(digest) },
    );
    state.epoch = 1;
    const handle = driver({ readyCertificates: ready, authorityState: state, maxConcurrentExecutions: 2 }).spawn();
    const seen: string[] = [];
    handle.outcomes$.subscribe((o) => seen.push(brief(o)));
    for (const digest of ['a', 'b', 'bad', 'a']) ready.next(pending(digest, { epoch: 1 }));
    ready.next(pending('old', { epoch: 0 }));
    ready.complete();
    const summary = await handle.done;
    expect(summary).toEqual({
      executed: 2,
      // The second `a` reaches its slot after the first finished: the state reports it executed.
      skipped: { 'already-executed': 1, 'duplicate-in-flight': 0, 'wrong-epoch': 1 },
      failed: 1,
      fatal: 0,
      retries: 0,
      unstarted: [],
    });
    expect(seen).toHaveLength(5);
    expect(state.maxInFlight).toBe(2);
  });

  it('runs Promise executions, retrying a rejected TransientExecutionError', async () => {
    const ready = new Subject<PendingCertificate>();
    const state = new ScriptedAuthorityState(async (c, attempt) => {
      await Promise.resolve();
      if (attempt < 3) throw new TransientExecutionError('store busy');
      return result(c.digest);
    });
    const handle = driver({
      readyCertificates: ready,
      authorityState: state,
      retry: { initialDelayMs: 0 },
    }).spawn();
    const outcomes: ExecutionOutcome[] = [];
    handle.outcomes$.subscribe((o) => outcomes.push(o));
    ready.next(pending('a'));
    ready.complete();
    const summary = await handle.done;
    expect(summary.retries).toBe(2);
    expect(outcomes[0]).toMatchObject({ kind: 'executed', attempts: 3 });
  });

  it('skips certificates an asynchronous isTxAlreadyExecuted reports', async () => {
    const state = new ScriptedAuthorityState((c) => Promise.resolve(result(c.digest)), {
      alreadyExecuted: (digest) => Promise.resolve(digest === 'a'),
    });
    const outcomes: string[] = [];
    const handle = driver({ readyCertificates: of(pending('a'), pending('b')), authorityState: state }).spawn({
      next: (o) => outcomes.push(brief(o)),
    });
    await handle.done;
    expect(outcomes.sort()).toEqual(['executed:b', 'skipped:a:already-executed']);
    expect(state.calls).toEqual(['b']);
  });

  it('rejects with ForkDetectedError carrying the summary, after in-flight work finished', async () => {
    const ready = new Subject<PendingCertificate>();
    const resolvers = new Map<string, () => void>();
    const state = new ScriptedAuthorityState(
      (c) => new Promise((resolve) => resolvers.set(c.digest, () => resolve(result(c.digest)))),
    );
    const handle = driver({ readyCertificates: ready, authorityState: state, maxConcurrentExecutions: 2 }).spawn();
    ready.next(pending('slow'));
    ready.next(pending('forked', { expectedEffectsDigest: 'fx-elsewhere' }));
    ready.next(pending('waiting'));
    resolvers.get('forked')?.();
    await Promise.resolve().then(() => undefined);
    await new Promise((r) => setImmediate(r));
    ready.next(pending('after-fork'));
    expect(ready.observed).toBe(false);
    resolvers.get('slow')?.();
    const error = (await handle.done.catch((e: unknown) => e)) as ForkDetectedError;
    expect(error).toBeInstanceOf(ForkDetectedError);
    expect(error.actualEffectsDigest).toBe('fx-forked');
    expect(error.summary).toMatchObject({ executed: 1, fatal: 1 });
    expect(error.summary?.unstarted.map((p) => p.certificate.digest)).toEqual(['waiting']);
    expect(state.calls.sort()).toEqual(['forked', 'slow']);
    // stop() after the fact still reports, and does not throw.
    await expect(handle.stop()).resolves.toMatchObject({ fatal: 1 });
  });

  it('rejects with ReadySourceError when the source errors, after executing what it received', async () => {
    const ready = new Subject<PendingCertificate>();
    const state = new ScriptedAuthorityState((c) => Promise.resolve(result(c.digest)));
    const handle = driver({ readyCertificates: ready, authorityState: state }).spawn();
    const errors: unknown[] = [];
    handle.outcomes$.subscribe({ error: (e: unknown) => errors.push(e) });
    ready.next(pending('a'));
    ready.error(new Error('link down'));
    const error = (await handle.done.catch((e: unknown) => e)) as ReadySourceError;
    expect(error).toBeInstanceOf(ReadySourceError);
    expect(error.cause).toEqual(new Error('link down'));
    expect(error.summary?.executed).toBe(1);
    expect(errors).toEqual([error]);
  });

  it('sees every outcome of a synchronous source through the spawn observer', async () => {
    const state = new ScriptedAuthorityState((c) => of(result(c.digest)));
    const outcomes: string[] = [];
    const handle = driver({ readyCertificates: of(pending('a'), pending('b')), authorityState: state }).spawn({
      next: (o) => outcomes.push(brief(o)),
    });
    await handle.done;
    expect(outcomes).toEqual(['executed:a', 'executed:b']);
  });

  it('exposes in-flight and backlog while running', async () => {
    const ready = new Subject<PendingCertificate>();
    const release: (() => void)[] = [];
    const state = new ScriptedAuthorityState(
      (c) => new Promise((resolve) => release.push(() => resolve(result(c.digest)))),
    );
    const handle = driver({ readyCertificates: ready, authorityState: state, maxConcurrentExecutions: 2 }).spawn();
    for (const digest of ['a', 'b', 'c', 'd', 'e']) ready.next(pending(digest));
    expect([handle.inFlight, handle.backlogSize]).toEqual([2, 3]);
    ready.complete();
    while (release.length > 0) {
      release.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await handle.done;
    expect([handle.inFlight, handle.backlogSize]).toEqual([0, 0]);
  });

  it('hands back a very large backlog on stop, in arrival order', async () => {
    const ready = new Subject<PendingCertificate>();
    const state = new ScriptedAuthorityState(() => new Promise<never>(() => undefined));
    const handle = driver({ readyCertificates: ready, authorityState: state, maxConcurrentExecutions: 4 }).spawn();
    const items = Array.from({ length: 300_000 }, (_, i) => pending(`d${i}`));
    for (const item of items) ready.next(item);
    expect(handle.backlogSize).toBe(300_000 - 4);
    const summary = await handle.stop({ mode: 'abort' });
    expect(summary.unstarted).toHaveLength(300_000 - 4);
    expect(summary.unstarted[0]).toBe(items[4]);
    expect(summary.unstarted.at(-1)).toBe(items.at(-1));
    expect(summary.failed).toBe(4);
  });

  it('refuses a second spawn', () => {
    const d = driver({ readyCertificates: new Subject(), authorityState: new ScriptedAuthorityState(() => of(result('a'))) });
    d.spawn();
    expect(() => d.spawn()).toThrow(DriverAlreadySpawnedError);
  });
});
