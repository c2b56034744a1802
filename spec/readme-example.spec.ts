// The marble example from the README, kept here so that it stays true.
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { type Certificate, executeCertificates } from '../lib';
import { silentLogger } from './support/silent-logger';

const fx = (digest: string) => ({ effects: { digest: `fx-${digest}` }, events: [] });
const cert = (digest: string) => ({ certificate: { digest, epoch: 0 } });

it('README: a quick certificate overtakes a slow one under concurrency 2', () => {
  const scheduler = new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
  scheduler.run(({ cold, hot, expectObservable }) => {
    const durations = { a: cold('-----r', { r: fx('a') }), b: cold('-r', { r: fx('b') }), c: cold('-r', { r: fx('c') }) };
    const authorityState = {
      loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
      tryExecuteImmediately: (c: Certificate) => durations[c.digest as 'a' | 'b' | 'c'],
    };
    const ready$ = hot('(abc|)', { a: cert('a'), b: cert('b'), c: cert('c') });
    const out$ = ready$.pipe(executeCertificates({ authorityState, maxConcurrentExecutions: 2, scheduler, logger: silentLogger }));
    // b frees its slot at frame 1, c runs in it, a finishes last.
    expectObservable(out$.pipe(map((o) => o.digest))).toBe('-bc--(a|)');
  });
});
