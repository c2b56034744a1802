import { NEVER, type Observable, Subject, type Subscription, of } from 'rxjs';
import { ExecutionAbortedError, type ExecutionOutcome, type ExecutionResult } from '../lib';
import { AbortRegistry } from '../lib/abort-registry';
import { resolveOptions } from '../lib/options';
import { CertificateJourney, type StartedTask, type TaskContext } from '../lib/process-certificate';
import { brief, pending, result } from './support/certificates';
import { ScriptedAuthorityState, type Script } from './support/scripted-authority-state';
import { silentLogger } from './support/silent-logger';

function context(script: Script): { state: ScriptedAuthorityState; context: TaskContext; settled: () => number } {
  const state = new ScriptedAuthorityState(script);
  let settled = 0;
  const executing = new Set<string>();
  return {
    state,
    settled: () => settled,
    context: {
      options: resolveOptions({ authorityState: state, logger: silentLogger, retry: { initialDelayMs: 0 } }),
      abort: new AbortRegistry(),
      claim: (digest) => !executing.has(digest) && executing.add(digest).has(digest),
      unclaim: (digest) => executing.delete(digest),
      onRetry: () => undefined,
      onSettled: () => settled++,
      onReportedHoldingSlot: () => undefined,
    },
  };
}

const task: StartedTask = { pending: pending('a'), digest: 'a', receivedAt: 0, startedAt: 0 };

/** `task`'s journey through `context`. */
function processCertificate({ pending: item, digest, receivedAt, startedAt }: StartedTask, ctx: TaskContext): CertificateJourney {
  return new CertificateJourney(ctx, item, digest, receivedAt, startedAt);
}

function collect(source: CertificateJourney): { outcomes: ExecutionOutcome[]; subscription: Subscription; completed: () => boolean } {
  const outcomes: ExecutionOutcome[] = [];
  let completed = false;
  const subscription = source.subscribe({ next: (o) => outcomes.push(o), complete: () => (completed = true) });
  return { outcomes, subscription, completed: () => completed };
}

describe('processCertificate', () => {
  it('takes the first result of an execution that emits several, and releases its slot once', () => {
    const results = new Subject<ExecutionResult>();
    const { context: ctx, settled } = context(() => results);
    const { outcomes, completed } = collect(processCertificate(task, ctx));
    results.next(result('a'));
    results.next(result('again'));
    expect(outcomes.map(brief)).toEqual(['executed:a']);
    expect(completed()).toBe(true);
    expect(settled()).toBe(1);
  });

  it('ignores a promise that settles after the consumer unsubscribed', async () => {
    let resolve!: (value: ExecutionResult) => void;
    const { context: ctx, settled } = context(() => new Promise((r) => (resolve = r)));
    const { outcomes, subscription } = collect(processCertificate(task, ctx));
    subscription.unsubscribe();
    resolve(result('a'));
    await Promise.resolve();
    expect(outcomes).toEqual([]);
    expect(settled()).toBe(1);
  });

  it('fails when isTxAlreadyExecuted rejects', async () => {
    const { state, context: ctx } = context(() => NEVER);
    state.isTxAlreadyExecuted = () => Promise.reject(new Error('index unavailable'));
    const { outcomes } = collect(processCertificate(task, ctx));
    await new Promise((r) => setImmediate(r));
    expect(outcomes.map(brief)).toEqual(['failed:a:execution-error']);
    expect(state.calls).toEqual([]);
  });

  it('fails at once, without executing, when the run is already aborted', () => {
    const { state, context: ctx } = context(() => NEVER);
    ctx.abort.abort(new ExecutionAbortedError());
    const { outcomes } = collect(processCertificate(task, ctx));
    expect(outcomes.map(brief)).toEqual(['failed:a:aborted']);
    expect(state.calls).toEqual([]);
  });

  it('gives a second subscriber an empty stream: one journey, one outcome, one execution', async () => {
    const { state, context: ctx, settled } = context(() => Promise.resolve(result('a')));
    const journey = processCertificate(task, ctx);
    const first = collect(journey);
    const second = collect(journey);
    expect(second.completed()).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(first.outcomes.map(brief)).toEqual(['executed:a']);
    expect(second.outcomes).toEqual([]);
    expect(state.calls).toEqual(['a']);
    expect(settled()).toBe(1);
  });

  it("times a promise's result with the turn's clock reading, an Observable's with a fresh one", async () => {
    // A promise's handler runs after the code that settled it: the turn's reading is late enough (see TurnClock).
    const timed = (execution: () => Promise<ExecutionResult> | Observable<ExecutionResult>): TaskContext => {
      const { context: ctx } = context(() => NEVER);
      const authorityState = { loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }), tryExecuteImmediately: execution };
      return { ...ctx, options: { ...ctx.options, authorityState, now: () => 30, nowInTurn: () => 20 } };
    };
    const started = { ...task, startedAt: 5 };
    const promised = collect(processCertificate(started, timed(() => Promise.resolve(result('a')))));
    const emitted = collect(processCertificate(started, timed(() => of(result('a')))));
    await new Promise((r) => setImmediate(r));
    expect(promised.outcomes).toMatchObject([{ kind: 'executed', latencyMs: 15 }]);
    expect(emitted.outcomes).toMatchObject([{ kind: 'executed', latencyMs: 25 }]);
  });
});
