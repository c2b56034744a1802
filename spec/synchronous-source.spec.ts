import fc from 'fast-check';
import { type Observable, ReplaySubject, from, lastValueFrom, of, toArray } from 'rxjs';
import { type AuthorityState, ExecutionDriver, type ExecutionOutcome, ForkDetectedError, type PendingCertificate, type RunSummary, executeCertificates } from '../lib';
import { brief, pending, result } from './support/certificates';
import { silentLogger } from './support/silent-logger';

/*
 * A source that emits while it is being subscribed to (`from`, `of`, a
 * ReplaySubject) and a state that answers synchronously: a fork among the
 * first certificates stops the run before the driver holds the source's
 * subscription, and the source keeps emitting. What it emits then can start
 * no more: it must be handed back, never dropped.
 */
const syncState: AuthorityState = {
  loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
  tryExecuteImmediately: (certificate) => of(result(certificate.digest)),
};
const forking = (digest: string) => pending(digest, { expectedEffectsDigest: 'fx-elsewhere' });
const digests = (summary: RunSummary) => summary.unstarted.map((p) => p.certificate.digest);

async function drive(source: Observable<PendingCertificate>, limit = 1): Promise<{ outcomes: string[]; summary: RunSummary; error: unknown; backlog: number }> {
  const outcomes: string[] = [];
  const handle = new ExecutionDriver({ readyCertificates: source, authorityState: syncState, maxConcurrentExecutions: limit, logger: silentLogger }).spawn({
    next: (o) => outcomes.push(brief(o)),
  });
  const ended = await handle.done.then(
    (summary) => ({ summary, error: undefined }),
    (error: unknown) => ({ summary: (error as { summary: RunSummary }).summary, error }),
  );
  return { outcomes, ...ended, backlog: handle.backlogSize };
}

describe('a source that emits while it is subscribed to, and a fork among its first certificates', () => {
  it('the driver hands back everything emitted after the fork (from)', async () => {
    const { outcomes, summary, error, backlog } = await drive(from([forking('a'), pending('b'), pending('c'), pending('d')]));
    expect(outcomes).toEqual(['fatal:a']);
    expect(error).toBeInstanceOf(ForkDetectedError);
    expect(digests(summary)).toEqual(['b', 'c', 'd']);
    expect(backlog).toBe(0);
  });

  it('the driver hands back a malformed item emitted after the fork too, rather than drop it', async () => {
    const odd = { not: 'a certificate' } as unknown as PendingCertificate;
    const { outcomes, summary } = await drive(from([forking('a'), odd, pending('c')]));
    expect(outcomes).toEqual(['fatal:a']);
    expect(summary.unstarted).toEqual([odd, pending('c')]);
  });

  it('the driver hands back what a ReplaySubject replays after the fork, and stops listening to it', async () => {
    const replay = new ReplaySubject<PendingCertificate>();
    [pending('a'), forking('b'), pending('c')].forEach((p) => replay.next(p));
    const run = drive(replay, 2);
    replay.next(pending('late')); // after the run ended: never taken
    const { outcomes, summary } = await run;
    expect(outcomes).toEqual(['executed:a', 'fatal:b']);
    expect(digests(summary)).toEqual(['c']);
    expect(replay.observed).toBe(false);
  });

  it('the operator errors with the fork, whose summary hands them back', async () => {
    const out = lastValueFrom(from([forking('a'), pending('b'), pending('c')]).pipe(executeCertificates({ authorityState: syncState, maxConcurrentExecutions: 1, logger: silentLogger }), toArray()));
    const error: unknown = await out.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForkDetectedError);
    expect(digests((error as ForkDetectedError).summary as RunSummary)).toEqual(['b', 'c']);
  });

  it('property: with synchronous sources and results, outcomes and the hand-back partition what was received', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('ok', 'ok', 'fork', 'malformed'), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 8 }), async (kinds, limit) => {
        const items = kinds.map((kind, i) =>
          kind === 'fork' ? forking(`d${i}`) : kind === 'malformed' ? ({ certificate: { digest: 7 } } as unknown as PendingCertificate) : pending(`d${i}`),
        );
        const seen: ExecutionOutcome[] = [];
        const handle = new ExecutionDriver({ readyCertificates: from(items), authorityState: syncState, maxConcurrentExecutions: limit, logger: silentLogger }).spawn({
          next: (o) => seen.push(o),
        });
        const summary = await handle.done.catch((e: unknown) => (e as { summary: RunSummary }).summary);
        const accounted = [...seen.map((o) => o.pending), ...summary.unstarted];
        expect(accounted).toHaveLength(items.length);
        expect(new Set(accounted)).toEqual(new Set(items));
        expect(handle.backlogSize).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
