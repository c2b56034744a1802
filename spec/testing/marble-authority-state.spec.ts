import { map } from 'rxjs';
import { ExecutionDriver, ForkDetectedError, TransientExecutionError } from '../../lib';
import { brief, certificates, marbleAuthorityState } from '../../lib/testing';
import { silentLogger } from '../support/silent-logger';
import { newScheduler } from '../support/marbles';


describe('marbleAuthorityState', () => {
  it('executes each certificate as its marble says, recording starts, attempts and concurrency', () => {
    const scheduler = newScheduler();
    let state!: ReturnType<typeof marbleAuthorityState>;
    scheduler.run(({ cold, hot, expectObservable }) => {
      state = marbleAuthorityState(cold, { a: '--r', b: '----r', c: '-r' }, { scheduler });
      const handle = new ExecutionDriver({ readyCertificates: hot('(abc|)', certificates('abc')), authorityState: state, maxConcurrentExecutions: 2, scheduler, logger: silentLogger }).spawn();
      expectObservable(handle.outcomes$.pipe(map(brief))).toBe('--ac(b|)', { a: 'executed:a', b: 'executed:b', c: 'executed:c' });
    });
    expect(state.starts).toEqual([
      { digest: 'a', attempt: 1, frame: 0 },
      { digest: 'b', attempt: 1, frame: 0 },
      { digest: 'c', attempt: 1, frame: 2 },
    ]);
    expect(state.maxInFlight).toBe(2);
    expect(state.inFlight).toBe(0);
  });

  it('scripts attempts in turn: transient failures are retried, the last script repeats', () => {
    const scheduler = newScheduler();
    let state!: ReturnType<typeof marbleAuthorityState>;
    scheduler.run(({ cold, hot, expectObservable }) => {
      state = marbleAuthorityState(cold, { a: ['!', '!', 'r'], b: ['!'] });
      const handle = new ExecutionDriver({
        readyCertificates: hot('(ab|)', certificates('ab')),
        authorityState: state,
        retry: { maxAttempts: 3, initialDelayMs: 2, maxDelayMs: 2 },
        scheduler,
        logger: silentLogger,
      }).spawn();
      expectObservable(handle.outcomes$.pipe(map(brief))).toBe('----(ab|)', { a: 'executed:a', b: 'failed:b:retries-exhausted' });
    });
    expect(state.attemptsOf('a')).toBe(3);
    expect(state.attemptsOf('b')).toBe(3);
  });

  it('fails with an Error on # and a TransientExecutionError on !', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const state = marbleAuthorityState(cold, { a: '-#', b: '-!' });
      const epochStore = state.loadEpochStoreOneCallPerTask();
      expectObservable(state.tryExecuteImmediately({ digest: 'a', epoch: 0 }, undefined, undefined, epochStore)).toBe('-#', undefined, new Error('scripted failure of a'));
      expectObservable(state.tryExecuteImmediately({ digest: 'b', epoch: 0 }, undefined, undefined, epochStore)).toBe(
        '-#',
        undefined,
        new TransientExecutionError('scripted transient failure of b'),
      );
    });
  });

  it('forks on f when the certificate expects the r result, and knows what was already executed', async () => {
    const scheduler = newScheduler();
    let done: Promise<unknown> | undefined;
    scheduler.run(({ cold, hot, expectObservable }) => {
      const state = marbleAuthorityState(cold, { a: '-r', b: '-f', c: '-r' }, { alreadyExecuted: ['c'] });
      const handle = new ExecutionDriver({
        readyCertificates: hot('a-b-c|', certificates('abc', { expectEffects: 'b' })),
        authorityState: state,
        scheduler,
        logger: silentLogger,
      }).spawn();
      done = handle.done;
      expectObservable(handle.outcomes$.pipe(map(brief))).toBe('-a-(b|)', { a: 'executed:a', b: 'fatal:b' });
    });
    await expect(done).rejects.toBeInstanceOf(ForkDetectedError);
  });

  it('names the scripted digests when asked to run an unscripted one', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold }) => {
      const state = marbleAuthorityState(cold, { a: 'r', b: 'r' });
      let failure: unknown;
      state.tryExecuteImmediately({ digest: 'z', epoch: 0 }, undefined, undefined, { epoch: 0 }).subscribe({ error: (error: unknown) => (failure = error) });
      expect(String(failure)).toMatch(/no script for certificate "z": scripted digests are a, b/);
    });
  });

  it('refuses, when built, a script no execution could follow: no attempts, or two failures in one marble', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold }) => {
      expect(() => marbleAuthorityState(cold, { a: [] })).toThrow(/script of "a" is an empty array/);
      expect(() => marbleAuthorityState(cold, { a: '-!-!' })).toThrow(/script "-!-!" of "a" fails 2 times/);
      expect(() => marbleAuthorityState(cold, { a: 'r', b: ['-!', '-#-!'] })).toThrow(/of "b" fails 2 times/);
      // A marble that never ends is a hang, for abort tests: allowed.
      expect(() => marbleAuthorityState(cold, { a: '---', b: '' })).not.toThrow();
    });
  });
});
