import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ExecutionDriver } from 'soma-execution-driver';
import { brief, certificates, marbleAuthorityState } from 'soma-execution-driver/testing';

it('retries a transient failure while a slow certificate holds the other slot', () => {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  scheduler.run(({ cold, hot, expectObservable }) => {
    const authorityState = marbleAuthorityState(cold, {
      a: '-----r', // slow
      b: ['-!', '-r'], // a transient failure, then success on the retry
      c: '-#', // fails for good
    });
    const ready$ = hot('(abc|)', certificates('abc'));
    const handle = new ExecutionDriver({
      readyCertificates: ready$,
      authorityState,
      maxConcurrentExecutions: 2,
      retry: { maxAttempts: 3, initialDelayMs: 1 },
      scheduler,
    }).spawn();
    // b fails at 1, is retried at 2 and succeeds at 3; c takes its slot and fails at 4; a ends at 5.
    expectObservable(handle.outcomes$.pipe(map(brief))).toBe('---bc(a|)', {
      a: 'executed:a',
      b: 'executed:b',
      c: 'failed:c:execution-error',
    });
  });
});
