import fc from 'fast-check';
import { type MonoTypeOperatorFunction, type Observable, Observable as RxObservable, ReplaySubject, Subject, from, lastValueFrom, of, take, takeUntil, toArray } from 'rxjs';
import { type AuthorityState, ExecutionDriver, type ExecutionOutcome, ForkDetectedError, type PendingCertificate, type RunSummary, executeCertificates } from '../lib';
import { brief, pending, result } from './support/certificates';
import { silentLogger } from './support/silent-logger';

/*
 * A source that emits while it is being subscribed to (`from`, `of`, a
 * ReplaySubject) and a state that answers synchronously: a fork among the
 * first certificates stops the run while the source is still emitting. The
 * run cuts the source there (it takes nothing more: an endless source ends
 * too), and every certificate it did take has an outcome or is handed back.
 */
const syncState: AuthorityState = {
  loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
  tryExecuteImmediately: (certificate) => of(result(certificate.digest)),
};
/** Answers on a later turn: received certificates wait in the backlog meanwhile. */
const laterState: AuthorityState = {
  loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
  tryExecuteImmediately: (certificate) => Promise.resolve(result(certificate.digest)),
};
const forking = (digest: string) => pending(digest, { expectedEffectsDigest: 'fx-elsewhere' });
const digests = (summary: RunSummary) => summary.unstarted.map((p) => p.certificate.digest);

/** A synchronous source of up to `max` certificates, `first` then `rest-<i>`, that emits while its subscriber is open. */
function counting(first: PendingCertificate, max: number): { source: Observable<PendingCertificate>; emitted: () => number } {
  let emitted = 0;
  const source = new RxObservable<PendingCertificate>((subscriber) => {
    for (let i = 0; i < max && !subscriber.closed; i++) {
      emitted++;
      subscriber.next(i === 0 ? first : pending(`rest-${i}`));
    }
    subscriber.complete();
  });
  return { source, emitted: () => emitted };
}

/**
 * An endless synchronous source through the operator, then `cut`, which ends the run early: the digests seen, the
 * executions started and the certificates the source emitted. `onOutcome` runs in the consumer, after each.
 */
function cutShort(
  cut: MonoTypeOperatorFunction<ExecutionOutcome>,
  options: { readonly maxConcurrentExecutions?: number; readonly onOutcome?: (seen: readonly string[]) => void } = {},
): { seen: string[]; calls: number; emitted: number } {
  const { source, emitted } = counting(pending('a'), 100_000);
  let calls = 0;
  const state: AuthorityState = { ...syncState, tryExecuteImmediately: (certificate) => (calls++, of(result(certificate.digest))) };
  const seen: string[] = [];
  const limit = options.maxConcurrentExecutions === undefined ? {} : { maxConcurrentExecutions: options.maxConcurrentExecutions };
  source.pipe(executeCertificates({ authorityState: state, logger: silentLogger, ...limit }), cut).subscribe((o) => {
    seen.push(o.digest);
    options.onOutcome?.(seen);
  });
  return { seen, calls, emitted: emitted() };
}

async function drive(source: Observable<PendingCertificate>, limit = 1, authorityState = syncState): Promise<{ outcomes: string[]; summary: RunSummary; error: unknown; backlog: number }> {
  const outcomes: string[] = [];
  const handle = new ExecutionDriver({ readyCertificates: source, authorityState, maxConcurrentExecutions: limit, logger: silentLogger }).spawn({
    next: (o) => outcomes.push(brief(o)),
  });
  const ended = await handle.done.then(
    (summary) => ({ summary, error: undefined }),
    (error: unknown) => ({ summary: (error as { summary: RunSummary }).summary, error }),
  );
  return { outcomes, ...ended, backlog: handle.backlogSize };
}

describe('a source that emits while it is subscribed to, and a fork among its first certificates', () => {
  it('the driver takes nothing after a fork that happened while the source was emitting (from)', async () => {
    const { outcomes, summary, error, backlog } = await drive(from([forking('a'), pending('b'), pending('c'), pending('d')]));
    expect(outcomes).toEqual(['fatal:a']);
    expect(error).toBeInstanceOf(ForkDetectedError);
    expect(digests(summary)).toEqual([]);
    expect(backlog).toBe(0);
  });

  it('the driver cuts an endless synchronous source at the fork', async () => {
    const { source, emitted } = counting(forking('a'), 100_000);
    const { outcomes, summary } = await drive(source);
    expect(outcomes).toEqual(['fatal:a']);
    expect(emitted()).toBe(1);
    expect(summary.unstarted).toEqual([]);
  });

  it('the driver hands back what it took and never started, malformed items included', async () => {
    const odd = { not: 'a certificate' } as unknown as PendingCertificate;
    const { outcomes, summary } = await drive(from([forking('a'), pending('b'), pending('c')]), 1, laterState);
    expect(outcomes).toEqual(['fatal:a']);
    expect(digests(summary)).toEqual(['b', 'c']);
    const withOdd = await drive(from([forking('a'), odd]), 1, laterState);
    expect(withOdd.outcomes).toEqual(['failed::malformed-certificate', 'fatal:a']);
  });

  it('the driver stops listening to a ReplaySubject at the fork', async () => {
    const replay = new ReplaySubject<PendingCertificate>();
    [pending('a'), forking('b'), pending('c')].forEach((p) => replay.next(p));
    const run = drive(replay, 2);
    replay.next(pending('late')); // after the run ended: never taken
    const { outcomes, summary } = await run;
    expect(outcomes).toEqual(['executed:a', 'fatal:b']);
    expect(digests(summary)).toEqual([]);
    expect(replay.observed).toBe(false);
  });

  it('the operator errors with the fork, whose summary hands back what it took and never started', async () => {
    const out = lastValueFrom(from([forking('a'), pending('b'), pending('c')]).pipe(executeCertificates({ authorityState: laterState, maxConcurrentExecutions: 1, logger: silentLogger }), toArray()));
    const error: unknown = await out.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForkDetectedError);
    expect(digests((error as ForkDetectedError).summary as RunSummary)).toEqual(['b', 'c']);
  });

  it('the operator cuts an endless synchronous source at the fork', async () => {
    const { source, emitted } = counting(forking('a'), 100_000);
    const error: unknown = await lastValueFrom(source.pipe(executeCertificates({ authorityState: syncState, logger: silentLogger }), toArray())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForkDetectedError);
    expect(emitted()).toBe(1);
  });

  it('the operator stops taking from a synchronous source once its consumer has what it wants (take)', () => {
    expect(cutShort(take(2), { maxConcurrentExecutions: 4 })).toEqual({ seen: ['a', 'rest-1'], calls: 2, emitted: 2 });
  });

  it('the operator stops when an outcome observer ends it (takeUntil) while a synchronous source emits', () => {
    const enough$ = new Subject<void>();
    const onOutcome = (seen: readonly string[]) => {
      if (seen.length === 3) enough$.next();
    };
    expect(cutShort(takeUntil(enough$), { onOutcome })).toEqual({ seen: ['a', 'rest-1', 'rest-2'], calls: 3, emitted: 3 });
  });

  it('property: with synchronous sources and results, the run takes up to the first fork, each with one outcome', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('ok', 'ok', 'fork', 'malformed'), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 8 }), async (kinds, limit) => {
        const items = kinds.map((kind, i) =>
          kind === 'fork' ? forking(`d${i}`) : kind === 'malformed' ? ({ certificate: { digest: 7 } } as unknown as PendingCertificate) : pending(`d${i}`),
        );
        const firstFork = kinds.indexOf('fork');
        const taken = firstFork < 0 ? items : items.slice(0, firstFork + 1);
        const seen: ExecutionOutcome[] = [];
        const handle = new ExecutionDriver({ readyCertificates: from(items), authorityState: syncState, maxConcurrentExecutions: limit, logger: silentLogger }).spawn({
          next: (o) => seen.push(o),
        });
        const summary = await handle.done.catch((e: unknown) => (e as { summary: RunSummary }).summary);
        const accounted = [...seen.map((o) => o.pending), ...summary.unstarted];
        expect(accounted).toHaveLength(taken.length);
        expect(new Set(accounted)).toEqual(new Set(taken));
        expect(handle.backlogSize).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
