import { type SchedulerLike, Subject, VirtualTimeScheduler } from 'rxjs';
import { type AuthorityState, ExecutionDriver, type ExecutionOutcome, type ExecutionProgress, type ExecutionResult, type PendingCertificate, TransientExecutionError } from '../lib';
import { brief, pending, result } from './support/certificates';
import { silentLogger } from './support/silent-logger';

/*
 * Staged executions against a state that calls `progress.staged()` late or
 * re-enters the driver from inside it (found by a review's property test):
 * the limit of the moment holds, nothing leaks a slot or a staged seat, and
 * a late call changes nothing.
 */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Call {
  readonly digest: string;
  readonly progress: ExecutionProgress | undefined;
  readonly resolve: (r: ExecutionResult) => void;
  readonly reject: (e: unknown) => void;
}

function spawn(state: AuthorityState, maxConcurrentExecutions: number, maxStagedExecutions: number, scheduler?: SchedulerLike) {
  const ready = new Subject<PendingCertificate>();
  const outcomes: ExecutionOutcome[] = [];
  const handle = new ExecutionDriver({
    readyCertificates: ready,
    authorityState: state,
    maxConcurrentExecutions,
    maxStagedExecutions,
    retry: { maxAttempts: 5, initialDelayMs: 5 },
    logger: silentLogger,
    ...(scheduler ? { scheduler } : {}),
  }).spawn({ next: (o) => outcomes.push(o) });
  return { ready, outcomes, handle };
}

describe('staged executions, late and re-entrant', () => {
  it("a staged() after its attempt's transient error (during the backoff) is ignored: no slot is freed, and the retry is a retry", async () => {
    const calls: Call[] = [];
    const state: AuthorityState = {
      loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
      tryExecuteImmediately: (certificate, _d, _i, _e, _s, progress) =>
        new Promise((resolve, reject) => calls.push({ digest: certificate.digest, progress, resolve, reject })),
    };
    // Backoff in virtual time: the retry waits until `flush`, however slow the machine is.
    const scheduler = new VirtualTimeScheduler();
    const { ready, outcomes, handle } = spawn(state, 1, 4, scheduler);
    ready.next(pending('a'));
    ready.next(pending('b'));
    await settle();
    const [a1] = calls;
    a1?.reject(new TransientExecutionError('busy'));
    await settle();
    a1?.progress?.staged(); // late: its attempt has answered, the retry waits for its backoff
    await settle();
    expect(calls.map((c) => c.digest)).toEqual(['a']); // b still waits: the limit is 1
    scheduler.flush();
    expect(calls.map((c) => c.digest)).toEqual(['a', 'a']);
    calls[1]?.reject(new TransientExecutionError('busy again')); // never staged: retried
    await settle();
    scheduler.flush();
    expect(calls.map((c) => c.digest)).toEqual(['a', 'a', 'a']);
    calls[2]?.resolve(result('a'));
    await settle();
    expect(calls.map((c) => c.digest)).toEqual(['a', 'a', 'a', 'b']);
    calls[3]?.resolve(result('b'));
    ready.complete();
    await handle.done;
    expect(outcomes.map((o) => `${brief(o)}:${o.kind === 'executed' ? o.attempts : '-'}`)).toEqual(['executed:a:3', 'executed:b:1']);
  });

  it('a staged() whose freed slot starts a certificate that ends the staged one at once keeps the limit and leaks nothing', async () => {
    let open = 0;
    let maxOpen = 0;
    const results = new Subject<ExecutionResult>();
    let progressOfA: ExecutionProgress | undefined;
    const held: (() => void)[] = [];
    const state: AuthorityState = {
      loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
      tryExecuteImmediately: (certificate, _d, _i, _e, _s, progress) => {
        if (certificate.digest === 'a') {
          progressOfA = progress;
          return results;
        }
        if (certificate.digest === 'b') results.next(result('a')); // ends a from inside b's call
        open++;
        maxOpen = Math.max(maxOpen, open);
        return new Promise<ExecutionResult>((resolve) =>
          held.push(() => {
            open--;
            resolve(result(certificate.digest));
          }),
        );
      },
    };
    const { ready, outcomes, handle } = spawn(state, 1, 1);
    const digests = ['a', 'b', 'c', 'd', 'e', 'f'];
    digests.forEach((d) => ready.next(pending(d)));
    ready.complete();
    await settle();
    progressOfA?.staged();
    for (let i = 0; i < 50 && outcomes.length < digests.length; i++) {
      await settle();
      held.shift()?.();
    }
    await handle.done;
    expect(outcomes.map(brief)).toEqual(digests.map((d) => `executed:${d}`));
    expect(maxOpen).toBe(1); // none of b to f staged: one at a time
    expect(handle.inFlight).toBe(0);
  });

  it('after such a re-entry the staged seat is free again: a later staging frees its slot', async () => {
    const calls: Call[] = [];
    const results = new Subject<ExecutionResult>();
    const state: AuthorityState = {
      loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
      tryExecuteImmediately: (certificate, _d, _i, _e, _s, progress) => {
        if (certificate.digest === 'a') {
          calls.push({ digest: 'a', progress, resolve: () => undefined, reject: () => undefined });
          return results;
        }
        if (certificate.digest === 'b') results.next(result('a'));
        return new Promise((resolve, reject) => calls.push({ digest: certificate.digest, progress, resolve, reject }));
      },
    };
    const { ready, outcomes, handle } = spawn(state, 1, 1);
    ['a', 'b', 'c'].forEach((d) => ready.next(pending(d)));
    ready.complete();
    await settle();
    calls[0]?.progress?.staged(); // a's seat; b starts and ends a
    await settle();
    const b = calls.find((c) => c.digest === 'b');
    b?.progress?.staged(); // with the seat leaked, b would keep its slot and c would wait
    await settle();
    expect(calls.map((c) => c.digest)).toEqual(['a', 'b', 'c']);
    b?.resolve(result('b'));
    calls.find((c) => c.digest === 'c')?.resolve(result('c'));
    await handle.done;
    expect(outcomes.map(brief)).toEqual(['executed:a', 'executed:b', 'executed:c']);
    expect(handle.inFlight).toBe(0);
  });
});
