import fc from 'fast-check';
import { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ExecutionDriver, type ExecutionOutcome, type PendingCertificate } from '../lib';
import { pending, result } from './support/certificates';
import { silentLogger } from './support/silent-logger';

type Action = { at: number; kind: 'limit'; limit: number } | { at: number; kind: 'pause' } | { at: number; kind: 'resume' };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ at: fc.nat(60), kind: fc.constant('limit' as const), limit: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ at: fc.nat(60), kind: fc.constant('pause' as const) }),
  fc.record({ at: fc.nat(60), kind: fc.constant('resume' as const) }),
);

describe('ExecutionDriver: live control (property)', () => {
  it('whatever limits, pauses and resumes happen when: one outcome per certificate, no start above the limit or while paused', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(40), duration: fc.integer({ min: 0, max: 6 }) }), { maxLength: 40 }),
        fc.array(action, { maxLength: 12 }),
        fc.integer({ min: 1, max: 8 }),
        (arrivals, actions, initialLimit) => {
          const scheduler = new TestScheduler(() => undefined);
          const outcomes: ExecutionOutcome[] = [];
          const violations: string[] = [];
          let inFlight = 0;
          scheduler.run(() => {
            const durations = new Map<string, number>();
            const ready$ = new Observable<PendingCertificate>((subscriber) => {
              arrivals.forEach(({ at, duration }, i) => {
                durations.set(`c${i}`, duration);
                scheduler.schedule(() => subscriber.next(pending(`c${i}`)), at);
              });
              // Resume at the end, so every run can drain.
              scheduler.schedule(() => subscriber.complete(), 100);
            });
            const box: { handle?: ReturnType<ExecutionDriver['spawn']> } = {};
            const state = {
              loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
              tryExecuteImmediately: (certificate: { digest: string }) =>
                new Observable<ReturnType<typeof result>>((subscriber) => {
                  inFlight++;
                  if (box.handle?.paused) violations.push(`${certificate.digest} started while paused`);
                  if (box.handle && inFlight > box.handle.maxConcurrentExecutions) {
                    violations.push(`${certificate.digest} started with ${inFlight} in flight, limit ${box.handle.maxConcurrentExecutions}`);
                  }
                  const id = scheduler.schedule(() => subscriber.next(result(certificate.digest)), durations.get(certificate.digest) ?? 0);
                  return () => {
                    inFlight--;
                    id.unsubscribe();
                  };
                }),
            };
            const live = new ExecutionDriver({ readyCertificates: ready$, authorityState: state, maxConcurrentExecutions: initialLimit, scheduler, logger: silentLogger }).spawn({
              next: (outcome) => outcomes.push(outcome),
            });
            box.handle = live;
            for (const a of actions) {
              scheduler.schedule(() => {
                if (a.kind === 'limit') live.setMaxConcurrentExecutions(a.limit);
                else if (a.kind === 'pause') live.pause();
                else live.resume();
              }, a.at);
            }
            scheduler.schedule(() => live.resume(), 101);
          });
          expect(violations).toEqual([]);
          expect(outcomes.map((o) => o.digest).sort()).toEqual(arrivals.map((_, i) => `c${i}`).sort());
          expect(outcomes.every((o) => o.kind === 'executed')).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
