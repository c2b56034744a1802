import fc from 'fast-check';
import { type Observable, Subject, mergeMap, tap, throwError, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  type ExecutionDriverHandle,
  ExecutionDriver,
  type ExecutionOutcome,
  type ExecutionResult,
  type PendingCertificate,
  type RunSummary,
  TransientExecutionError,
} from '../lib';
import { result } from './support/certificates';
import { ScriptedAuthorityState } from './support/scripted-authority-state';
import { silentLogger } from './support/silent-logger';

type Behaviour = 'ok' | 'fail' | 'transient-once' | 'transient-always' | 'fork';

interface Arrival {
  digest: string;
  epoch: number;
  arriveAt: number;
  duration: number;
  behaviour: Behaviour;
}

const arrival: fc.Arbitrary<Arrival> = fc.record({
  digest: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'),
  epoch: fc.constantFrom(0, 0, 0, 1),
  arriveAt: fc.nat(30),
  duration: fc.nat(8),
  behaviour: fc.constantFrom<Behaviour>('ok', 'ok', 'ok', 'fail', 'transient-once', 'transient-always', 'fork'),
});

const stopAt = fc.option(fc.record({ at: fc.nat(40), mode: fc.constantFrom<'drain' | 'abort'>('drain', 'abort') }));

/** A state whose executions take `duration` virtual ms and behave as the arrival says. */
function scriptedState(byPending: Map<string, Arrival>, scheduler: TestScheduler, dedupeByState: boolean): {
  state: ScriptedAuthorityState;
  concurrentSameDigest: () => boolean;
} {
  const running = new Map<string, number>();
  let overlap = false;
  const state: ScriptedAuthorityState = new ScriptedAuthorityState(
    (certificate, attempt): Observable<ExecutionResult> => {
      const plan = byPending.get(certificate.digest);
      const duration = plan?.duration ?? 1;
      const count = (running.get(certificate.digest) ?? 0) + 1;
      running.set(certificate.digest, count);
      if (count > 1) overlap = true;
      return timer(duration, scheduler).pipe(
        mergeMap(() => {
          switch (plan?.behaviour) {
            case 'fail':
              return throwError(() => new Error('deterministic failure'));
            case 'transient-always':
              return throwError(() => new TransientExecutionError('busy'));
            case 'transient-once':
              return attempt === 1 ? throwError(() => new TransientExecutionError('busy')) : [result(certificate.digest)];
            default:
              return [result(certificate.digest)];
          }
        }),
        tap({ finalize: () => running.set(certificate.digest, (running.get(certificate.digest) ?? 1) - 1) }),
      );
    },
    dedupeByState ? { alreadyExecuted: (digest) => state.executed.has(digest) } : {},
  );
  return { state, concurrentSameDigest: () => overlap };
}

describe('executeCertificates: properties', () => {
  it('gives every received certificate exactly one outcome or hands it back unstarted, within the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(arrival, { maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        stopAt,
        fc.boolean(),
        async (arrivals, limit, stop, dedupeByState) => {
          const scheduler = new TestScheduler(() => undefined);
          // One behaviour per digest, so that copies of a digest behave alike.
          const plans = new Map<string, Arrival>();
          for (const a of arrivals) if (!plans.has(a.digest)) plans.set(a.digest, a);
          const { state, concurrentSameDigest } = scriptedState(plans, scheduler, dedupeByState);
          const ready = new Subject<PendingCertificate>();
          const received: PendingCertificate[] = [];
          const outcomes: ExecutionOutcome[] = [];
          let completed = false;
          let forkAt = Number.POSITIVE_INFINITY;
          const startTimes: number[] = [];
          const loadEpochStore = state.loadEpochStoreOneCallPerTask.bind(state);
          state.loadEpochStoreOneCallPerTask = () => {
            startTimes.push(scheduler.now());
            return loadEpochStore();
          };
          let handle!: ExecutionDriverHandle;
          let stopped: Promise<RunSummary> | undefined;

          scheduler.run(() => {
            handle = new ExecutionDriver({
              readyCertificates: ready.pipe(tap((p) => received.push(p))),
              authorityState: state,
              maxConcurrentExecutions: limit,
              retry: { maxAttempts: 3, initialDelayMs: 1 },
              scheduler,
              logger: silentLogger,
            }).spawn({
              next: (o) => {
                expect(completed).toBe(false);
                if (o.kind === 'fatal') forkAt = Math.min(forkAt, scheduler.now());
                outcomes.push(o);
              },
              complete: () => (completed = true),
            });
            for (const a of arrivals) {
              const plan = plans.get(a.digest);
              const expectedEffectsDigest = plan?.behaviour === 'fork' ? 'fx-elsewhere' : `fx-${a.digest}`;
              const item: PendingCertificate = { certificate: { digest: a.digest, epoch: a.epoch }, expectedEffectsDigest };
              scheduler.schedule(() => ready.next(item), a.arriveAt);
            }
            scheduler.schedule(() => ready.complete(), 31);
            if (stop) scheduler.schedule(() => void (stopped = handle.stop({ mode: stop.mode })), stop.at);
          });

          expect(completed).toBe(true);
          const summary = stopped ? await stopped : await handle.done.catch((e: unknown) => (e as { summary: RunSummary }).summary);

          // Exactly once: outcomes and unstarted partition what was received, by identity.
          const accounted = [...outcomes.map((o) => o.pending), ...summary.unstarted];
          expect(accounted).toHaveLength(received.length);
          expect(new Set(accounted)).toEqual(new Set(received));

          // Never more than the limit in flight, measured inside the state; a digest never runs twice at once.
          expect(state.maxInFlight).toBeLessThanOrEqual(limit);
          expect(state.inFlight).toBe(0);
          expect(concurrentSameDigest()).toBe(false);

          // The summary counts what the stream showed.
          const count = (kind: ExecutionOutcome['kind']) => outcomes.filter((o) => o.kind === kind).length;
          expect([summary.executed, summary.failed, summary.fatal]).toEqual([count('executed'), count('failed'), count('fatal')]);

          // Outcomes say the truth: executed ones ran and matched; skipped wrong-epoch ones never ran.
          for (const o of outcomes) {
            if (o.kind === 'executed') expect(state.executed.has(o.digest)).toBe(true);
            if (o.kind === 'skipped' && o.reason === 'wrong-epoch') expect(o.pending.certificate.epoch).not.toBe(0);
            if (o.kind === 'fatal') expect(plans.get(o.digest)?.behaviour).toBe('fork');
          }
          // After a fork, nothing new starts (the epoch store is loaded once at each start).
          expect(startTimes.every((t) => t <= forkAt)).toBe(true);
          // With abort, nothing was left running; with drain and no fork, no execution was aborted.
          if (stop?.mode !== 'abort') expect(outcomes.some((o) => o.kind === 'failed' && o.reason === 'aborted')).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('holds with Promise executions settling in random microtask orders', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), fc.nat(5), fc.boolean()), { maxLength: 60 }),
        fc.integer({ min: 1, max: 6 }),
        async (items, limit) => {
          const depth = new Map<string, number>(items.map(([digest, ticks]) => [digest, ticks]));
          const failing = new Set<string>(items.filter(([, , fails]) => fails).map(([digest]) => digest));
          const state = new ScriptedAuthorityState(async (certificate) => {
            for (let i = 0; i < (depth.get(certificate.digest) ?? 0); i++) await Promise.resolve();
            if (failing.has(certificate.digest)) throw new Error('no');
            return result(certificate.digest);
          });
          const ready = new Subject<PendingCertificate>();
          const outcomes: ExecutionOutcome[] = [];
          const handle = new ExecutionDriver({
            readyCertificates: ready,
            authorityState: state,
            maxConcurrentExecutions: limit,
            logger: silentLogger,
          }).spawn({ next: (o) => outcomes.push(o) });
          const sent = items.map(([digest]) => ({ certificate: { digest, epoch: 0 } }));
          for (const [i, p] of sent.entries()) {
            ready.next(p);
            if (i % 7 === 0) await Promise.resolve();
          }
          ready.complete();
          const summary = await handle.done;
          expect(outcomes).toHaveLength(sent.length);
          expect(new Set(outcomes.map((o) => o.pending))).toEqual(new Set(sent));
          expect(summary.unstarted).toHaveLength(0);
          expect(state.maxInFlight).toBeLessThanOrEqual(limit);
          for (const o of outcomes) {
            if (o.kind === 'failed') expect(failing.has(o.digest)).toBe(true);
            if (o.kind === 'executed') expect(failing.has(o.digest)).toBe(false);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
