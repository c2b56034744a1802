import fc from 'fast-check';
import { Subject } from 'rxjs';
import {
  type AuthorityState,
  type Certificate,
  type EpochStore,
  ExecutionDriver,
  type ExecutionOutcome,
  type ExecutionProgress,
  type ExecutionResult,
  InvalidOptionError,
  type PendingCertificate,
  TransientExecutionError,
} from '../lib';
import { brief, pending, result } from './support/certificates';
import { silentLogger } from './support/silent-logger';

/** One call of `tryExecuteImmediately`, settled by the test. */
interface Call {
  readonly digest: string;
  readonly argumentCount: number;
  readonly progress: ExecutionProgress | undefined;
  readonly resolve: (result: ExecutionResult) => void;
  readonly reject: (error: unknown) => void;
}

/** A state whose executions stay open until the test settles them; `stageAtOnce` calls `progress.staged()` as each starts. */
class HeldState implements AuthorityState {
  readonly calls: Call[] = [];
  constructor(private readonly stageAtOnce: boolean) {}
  loadEpochStoreOneCallPerTask(): EpochStore {
    return { epoch: 0 };
  }
  tryExecuteImmediately(...args: [Certificate, string | undefined, number | undefined, EpochStore, AbortSignal?, ExecutionProgress?]): Promise<ExecutionResult> {
    const [certificate, , , , , progress] = args;
    return new Promise((resolve, reject) => {
      this.calls.push({ digest: certificate.digest, argumentCount: args.length, progress, resolve, reject });
      if (this.stageAtOnce) progress?.staged();
    });
  }
  call(digest: string): Call {
    const found = this.calls.find((c) => c.digest === digest);
    if (!found) throw new Error(`${digest} was not called`);
    return found;
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function run(state: AuthorityState, maxConcurrentExecutions: number, maxStagedExecutions?: number) {
  const ready = new Subject<PendingCertificate>();
  const outcomes: ExecutionOutcome[] = [];
  const handle = new ExecutionDriver({
    readyCertificates: ready,
    authorityState: state,
    maxConcurrentExecutions,
    ...(maxStagedExecutions !== undefined ? { maxStagedExecutions } : {}),
    retry: { maxAttempts: 3, initialDelayMs: 1 },
    logger: silentLogger,
  }).spawn({ next: (o) => outcomes.push(o) });
  return { ready, outcomes, handle };
}

describe('staged executions (maxStagedExecutions)', () => {
  it('a staged execution frees its slot, up to the bound; each outcome comes only with its result', async () => {
    const state = new HeldState(true);
    const { ready, outcomes, handle } = run(state, 1, 2);
    for (const d of ['a', 'b', 'c', 'd']) ready.next(pending(d));
    await settle();
    // a and b gave their slot up; c is staged too, past the bound: it keeps the one slot, and d waits.
    expect(state.calls.map((c) => c.digest)).toEqual(['a', 'b', 'c']);
    expect(outcomes).toEqual([]);
    expect(handle.inFlight).toBe(1);
    state.call('a').resolve(result('a'));
    await settle();
    expect(outcomes.map(brief)).toEqual(['executed:a']);
    expect(state.calls).toHaveLength(3); // a freed no slot at its result: it had none
    state.call('c').resolve(result('c'));
    await settle();
    expect(state.calls.map((c) => c.digest)).toEqual(['a', 'b', 'c', 'd']); // c's slot went to d
    state.call('b').resolve(result('b'));
    state.call('d').resolve(result('d'));
    ready.complete();
    await handle.done;
    expect(outcomes.map(brief)).toEqual(['executed:a', 'executed:c', 'executed:b', 'executed:d']);
  });

  it('off by default: the state is called with five arguments and an execution keeps its slot until its result', async () => {
    const state = new HeldState(true);
    const { ready, handle } = run(state, 1);
    ready.next(pending('a'));
    ready.next(pending('b'));
    await settle();
    expect(state.calls.map((c) => [c.digest, c.argumentCount, c.progress])).toEqual([['a', 5, undefined]]);
    state.call('a').resolve(result('a'));
    await settle();
    expect(state.calls.map((c) => c.digest)).toEqual(['a', 'b']);
    state.call('b').resolve(result('b'));
    ready.complete();
    await handle.done;
  });

  it('a drain stop waits for staged executions; their outcomes come with their results', async () => {
    const state = new HeldState(true);
    const { ready, outcomes, handle } = run(state, 1, 4);
    ready.next(pending('a'));
    ready.next(pending('b'));
    await settle();
    let stopped = false;
    const summary = handle.stop({ mode: 'drain' }).then((s) => {
      stopped = true;
      return s;
    });
    await settle();
    expect(stopped).toBe(false);
    state.call('b').resolve(result('b'));
    await settle();
    expect(stopped).toBe(false);
    state.call('a').resolve(result('a'));
    expect((await summary).executed).toBe(2);
    expect(outcomes.map(brief)).toEqual(['executed:b', 'executed:a']);
  });

  it('an abort stop gives a staged execution one outcome, aborted; its late result changes nothing', async () => {
    const state = new HeldState(true);
    const { ready, outcomes, handle } = run(state, 1, 4);
    ready.next(pending('a'));
    await settle();
    const summary = await handle.stop({ mode: 'abort' });
    state.call('a').resolve(result('a'));
    await settle();
    expect(outcomes.map(brief)).toEqual(['failed:a:aborted']);
    expect(summary.failed).toBe(1);
  });

  it('an error after staging is the failure, not retried (the effects were committed)', async () => {
    const state = new HeldState(true);
    const { ready, outcomes, handle } = run(state, 2, 4);
    ready.next(pending('a'));
    await settle();
    state.call('a').reject(new TransientExecutionError('the disk'));
    ready.complete();
    await handle.done;
    expect(state.calls).toHaveLength(1);
    expect(outcomes.map(brief)).toEqual(['failed:a:execution-error']);
  });

  it('a transient error before staging is still retried', async () => {
    const state = new HeldState(false);
    const { ready, outcomes, handle } = run(state, 1, 4);
    ready.next(pending('a'));
    await settle();
    state.call('a').reject(new TransientExecutionError('busy'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(state.calls).toHaveLength(2);
    (state.calls[1] as Call).resolve(result('a'));
    ready.complete();
    await handle.done;
    expect(outcomes.map(brief)).toEqual(['executed:a']);
  });

  it('a second call of staged, or one after the result, frees nothing more', async () => {
    const state = new HeldState(false);
    const { ready, outcomes, handle } = run(state, 1, 1);
    for (const d of ['a', 'b', 'c']) ready.next(pending(d));
    await settle();
    const a = state.call('a');
    a.progress?.staged();
    a.progress?.staged();
    await settle();
    // a's one early release let b start; b staging is past the bound of 1: it keeps its slot, and c waits.
    state.call('b').progress?.staged();
    await settle();
    expect(state.calls.map((c) => c.digest)).toEqual(['a', 'b']);
    a.resolve(result('a'));
    await settle();
    a.progress?.staged(); // after its outcome: ignored
    await settle();
    expect(state.calls.map((c) => c.digest)).toEqual(['a', 'b']);
    state.call('b').resolve(result('b'));
    await settle();
    state.call('c').resolve(result('c'));
    ready.complete();
    await handle.done;
    expect(outcomes.map(brief)).toEqual(['executed:a', 'executed:b', 'executed:c']);
  });

  it('refuses a bound that is not a whole number, 0 or more', () => {
    for (const bad of [-1, 0.5, Number.NaN]) {
      expect(() => new ExecutionDriver({ readyCertificates: new Subject<PendingCertificate>(), authorityState: new HeldState(true), maxStagedExecutions: bad })).toThrow(InvalidOptionError);
    }
  });

  it('property: one outcome per certificate, slots within the limit, staged ones within the bound, whatever order results come in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ stages: fc.boolean(), fails: fc.boolean(), order: fc.nat(1000) }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom<'none' | 'drain' | 'abort'>('none', 'none', 'drain', 'abort'),
        async (plans, limit, bound, stop) => {
          const open = new Map<string, { staged: boolean; resolve: () => void; reject: () => void }>();
          let maxHolding = 0;
          let maxStaged = 0;
          const measure = () => {
            const staged = [...open.values()].filter((c) => c.staged).length;
            maxStaged = Math.max(maxStaged, staged);
            maxHolding = Math.max(maxHolding, open.size - Math.min(staged, bound));
          };
          const state: AuthorityState = {
            loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
            tryExecuteImmediately: (certificate, _d, _i, _e, _s, progress) =>
              new Promise<ExecutionResult>((resolve, reject) => {
                const plan = plans[Number(certificate.digest)] as (typeof plans)[number];
                const call = { staged: false, resolve: () => resolve(result(certificate.digest)), reject: () => reject(new Error('no')) };
                open.set(certificate.digest, call);
                measure();
                if (plan.stages && progress) {
                  call.staged = true;
                  progress.staged();
                }
              }),
          };
          const { ready, outcomes, handle } = run(state, limit, bound);
          const sent = plans.map((_, i) => pending(String(i)));
          for (const p of sent) ready.next(p);
          ready.complete();
          const stopped = stop === 'none' ? undefined : handle.stop({ mode: stop });
          // Settle the open calls one at a time, in the plans' order, until none is left.
          for (let guard = 0; guard < 200; guard++) {
            await settle();
            if (open.size === 0) break;
            const [digest, call] = [...open.entries()].sort(([a], [b]) => (plans[Number(a)]?.order ?? 0) - (plans[Number(b)]?.order ?? 0))[0] as [string, { resolve: () => void; reject: () => void }];
            open.delete(digest);
            if (plans[Number(digest)]?.fails === true) call.reject();
            else call.resolve();
          }
          const summary = stopped ? await stopped : await handle.done;
          // Exactly once: outcomes and unstarted partition what was sent.
          const accounted = [...outcomes.map((o) => o.pending), ...summary.unstarted];
          expect(accounted).toHaveLength(sent.length);
          expect(new Set(accounted)).toEqual(new Set(sent));
          expect(maxHolding).toBeLessThanOrEqual(limit);
          expect(maxStaged).toBeLessThanOrEqual(limit + bound);
          for (const o of outcomes) {
            if (o.kind === 'executed') expect(plans[Number(o.digest)]?.fails).toBe(false);
            if (o.kind === 'failed' && o.reason !== 'aborted') expect(plans[Number(o.digest)]?.fails).toBe(true);
          }
          if (stop !== 'abort') expect(outcomes.some((o) => o.kind === 'failed' && o.reason === 'aborted')).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});
