import { type Observable, catchError, map, of, throwError } from 'rxjs';
import { type RunHelpers, TestScheduler } from 'rxjs/testing';
import {
  type ExecuteCertificatesOptions,
  type ExecutionOutcome,
  ForkDetectedError,
  MalformedCertificateError,
  type PendingCertificate,
  TransientExecutionError,
  executeCertificates,
} from '../lib';
import { CertificateJourney } from '../lib/process-certificate';
import { brief, pending, result } from './support/certificates';
import { ScriptedAuthorityState, type Script } from './support/scripted-authority-state';
import { silentLogger } from './support/silent-logger';

function marbles(body: (helpers: RunHelpers, scheduler: TestScheduler) => void): void {
  const scheduler = new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
  scheduler.run((helpers) => {
    body(helpers, scheduler);
  });
}

function run(
  ready$: Observable<PendingCertificate>,
  state: ScriptedAuthorityState,
  scheduler: TestScheduler,
  options: Partial<ExecuteCertificatesOptions> = {},
): Observable<ExecutionOutcome> {
  return ready$.pipe(executeCertificates({ authorityState: state, scheduler, logger: silentLogger, ...options }));
}

const certs = {
  a: pending('a'),
  b: pending('b'),
  c: pending('c'),
  d: pending('d'),
};

/** A script that runs each digest's cold marble; the same marble on every attempt. */
function byDigest(executions: Record<string, Observable<ReturnType<typeof result>>>): Script {
  return (certificate) => {
    const execution = executions[certificate.digest];
    if (!execution) throw new Error(`no script for ${certificate.digest}`);
    return execution;
  };
}

describe('executeCertificates: ordering', () => {
  // a is slow, b and c are quick; all arrive at frame 0.
  const durations = (cold: RunHelpers['cold']) =>
    byDigest({ a: cold('-----r', { r: result('a') }), b: cold('-r', { r: result('b') }), c: cold('-r', { r: result('c') }) });
  const executed = { a: 'executed:a', b: 'executed:b', c: 'executed:c' };

  it('runs one at a time, in arrival order, under concurrency 1', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState(durations(cold));
      const out$ = run(hot('(abc|)', certs), state, scheduler, { maxConcurrentExecutions: 1 });
      expectObservable(out$.pipe(map(brief))).toBe('-----ab(c|)', executed);
    });
  });

  it('lets a quick certificate overtake a slow one under concurrency 2', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState(durations(cold));
      const out$ = run(hot('(abc|)', certs), state, scheduler, { maxConcurrentExecutions: 2 });
      // c waits for b's slot (frame 1), then finishes before a.
      expectObservable(out$.pipe(map(brief))).toBe('-bc--(a|)', executed);
    });
  });

  it('runs everything at once when the limit exceeds the load', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState(durations(cold));
      const out$ = run(hot('(abc|)', certs), state, scheduler, { maxConcurrentExecutions: 8 });
      expectObservable(out$.pipe(map(brief))).toBe('-(bc)(a|)', executed);
    });
  });

  it('starts a waiting certificate in the frame a slot frees, and records its queueing delay', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState(byDigest({ a: cold('---r', { r: result('a') }), b: cold('--r', { r: result('b') }) }));
      const out$ = run(hot('ab|', certs), state, scheduler, { maxConcurrentExecutions: 1 });
      const timings = out$.pipe(map((o) => `${o.digest} waited ${o.queueingDelayMs}, took ${o.kind === 'executed' ? o.latencyMs : NaN}`));
      expectObservable(timings).toBe('---a-(b|)', { a: 'a waited 0, took 3', b: 'b waited 2, took 2' });
    });
  });

  it('completes only after in-flight executions finish when the source completes (drain)', () => {
    marbles(({ cold, hot, expectObservable, expectSubscriptions }, scheduler) => {
      const a = cold('------r', { r: result('a') });
      const state = new ScriptedAuthorityState(byDigest({ a }));
      const out$ = run(hot('a|', certs), state, scheduler);
      expectObservable(out$.pipe(map(brief))).toBe('------(a|)', { a: 'executed:a' });
      expectSubscriptions(a.subscriptions).toBe('^-----!');
    });
  });
});

describe('executeCertificates: failure isolation', () => {
  it('turns an erroring execution into a failed outcome and goes on', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState(
        byDigest({
          a: cold('-r', { r: result('a') }),
          b: cold('-#', undefined, new Error('boom')),
          c: cold('-r', { r: result('c') }),
        }),
      );
      const out$ = run(hot('(abc|)', certs), state, scheduler, { maxConcurrentExecutions: 1 });
      expectObservable(out$.pipe(map(brief))).toBe('-ab(c|)', {
        a: 'executed:a',
        b: 'failed:b:execution-error',
        c: 'executed:c',
      });
    });
  });

  it('turns a synchronous throw into a failed outcome carrying the error', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const boom = new Error('sync boom');
      const state = new ScriptedAuthorityState((certificate) => {
        if (certificate.digest === 'b') throw boom;
        return cold('-r', { r: result(certificate.digest) });
      });
      const out$ = run(hot('(ab|)', certs), state, scheduler, { maxConcurrentExecutions: 1 });
      expectObservable(out$.pipe(map((o) => (o.kind === 'failed' ? o.error : brief(o))))).toBe('-(ab|)', {
        a: 'executed:a',
        b: boom,
      });
    });
  });

  it('fails a result without effects digest, and an execution that completes empty, as invalid-result', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState((certificate) =>
        certificate.digest === 'a' ? cold('-|') : cold('-r', { r: { effects: {}, events: [] } as never }),
      );
      const out$ = run(hot('(ab|)', certs), state, scheduler, { maxConcurrentExecutions: 1 });
      expectObservable(out$.pipe(map(brief))).toBe('-a(b|)', { a: 'failed:a:invalid-result', b: 'failed:b:invalid-result' });
    });
  });

  it("gives each certificate whose journey throws past its guard (a driver bug, simulated) its own failure, frees its slot, and goes on", () => {
    // The guard is the first line; catchError inside each inner stream is the second.
    const bug = new Error('a bug past the guard');
    const guard = jest.spyOn(CertificateJourney.prototype as unknown as { enter: () => void }, 'enter').mockImplementation(() => {
      throw bug;
    });
    try {
      marbles(({ cold, hot, expectObservable }, scheduler) => {
        const state = new ScriptedAuthorityState(() => cold('-r', { r: result('a') }));
        const out$ = run(hot('(abc|)', certs), state, scheduler, { maxConcurrentExecutions: 1 });
        const failure = (digest: string) => ({ digest, reason: 'execution-error', error: bug, attempts: 0 });
        const failures$ = out$.pipe(map((o) => (o.kind === 'failed' ? { digest: o.digest, reason: o.reason, error: o.error, attempts: o.attempts } : brief(o))));
        expectObservable(failures$).toBe('(abc|)', {
          a: failure('a'),
          b: failure('b'),
          c: failure('c'),
        });
        scheduler.flush();
        expect(state.calls).toEqual([]);
      });
    } finally {
      guard.mockRestore();
    }
  });

  it('fails a malformed item at intake, without calling the state, and keeps going', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState(() => cold('-r', { r: result('a') }));
      const junk = { certificate: { digest: 42, epoch: 0 } } as unknown as PendingCertificate;
      const out$ = run(hot('xa|', { x: junk, a: certs.a }), state, scheduler);
      expectObservable(out$.pipe(map((o) => (o.kind === 'failed' ? o.error : brief(o))))).toBe('x-(a|)', {
        x: new MalformedCertificateError('certificate digest must be a non-empty string', junk),
        a: 'executed:a',
      });
      scheduler.flush();
      expect(state.calls).toEqual(['a']);
    });
  });
});

describe('executeCertificates: retries', () => {
  const retry = { maxAttempts: 3, initialDelayMs: 2, backoffFactor: 2 };

  it('retries a transient failure with backoff in virtual time', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState((certificate, attempt) =>
        attempt < 3 ? cold('-#', undefined, new TransientExecutionError('busy')) : cold('-r', { r: result(certificate.digest) }),
      );
      const out$ = run(hot('a|', certs), state, scheduler, { retry });
      // fail at 1, wait 2, fail at 4, wait 4, succeed at 9.
      expectObservable(out$.pipe(map((o) => `${brief(o)} after ${o.kind === 'executed' ? o.attempts : 0}`))).toBe(
        '---------(a|)',
        { a: 'executed:a after 3' },
      );
    });
  });

  it('gives up after maxAttempts with retries-exhausted', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState(() => cold('-#', undefined, new TransientExecutionError('busy')));
      const out$ = run(hot('a|', certs), state, scheduler, { retry });
      // attempts at 0, 3 and 8, each failing a frame later.
      expectObservable(out$.pipe(map(brief))).toBe('---------(a|)', { a: 'failed:a:retries-exhausted' });
      scheduler.flush();
      expect(state.attemptsOf('a')).toBe(3);
    });
  });

  it('does not retry an error that is not transient', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState(() => cold('-#', undefined, new Error('bad transaction')));
      const out$ = run(hot('a|', certs), state, scheduler, { retry });
      expectObservable(out$.pipe(map(brief))).toBe('-(a|)', { a: 'failed:a:execution-error' });
      scheduler.flush();
      expect(state.attemptsOf('a')).toBe(1);
    });
  });

  it('retries errors accepted by the isTransient predicate', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState((certificate, attempt) =>
        attempt === 1 ? cold('#', undefined, new Error('EBUSY')) : cold('r', { r: result(certificate.digest) }),
      );
      const isTransient = (error: unknown) => error instanceof Error && error.message === 'EBUSY';
      const out$ = run(hot('a|', certs), state, scheduler, { retry: { ...retry, isTransient } });
      expectObservable(out$.pipe(map(brief))).toBe('--(a|)', { a: 'executed:a' });
    });
  });
});

describe('executeCertificates: dedupe and epochs', () => {
  it('skips a copy of a digest that is executing when the copy starts', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState(() => cold('----r', { r: result('a') }));
      const out$ = run(hot('a-a|', certs), state, scheduler, { maxConcurrentExecutions: 2 });
      expectObservable(out$.pipe(map(brief))).toBe('--d-(a|)', { a: 'executed:a', d: 'skipped:a:duplicate-in-flight' });
      scheduler.flush();
      expect(state.calls).toEqual(['a']);
    });
  });

  it('checks a copy that waited in the backlog when it starts: after the first finished, the state says it is executed', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state: ScriptedAuthorityState = new ScriptedAuthorityState((certificate) => cold('--r', { r: result(certificate.digest) }), {
        alreadyExecuted: (digest) => state.executed.has(digest),
      });
      const out$ = run(hot('(bab|)', certs), state, scheduler, { maxConcurrentExecutions: 1 });
      expectObservable(out$.pipe(map(brief))).toBe('--b-(as|)', { a: 'executed:a', b: 'executed:b', s: 'skipped:b:already-executed' });
      scheduler.flush();
      expect(state.calls).toEqual(['b', 'a']);
    });
  });

  it('runs a backlog copy again after the first finished when the state cannot tell (dedupe of pending copies is the TransactionManager\'s job)', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState((certificate) => cold('--r', { r: result(certificate.digest) }));
      const out$ = run(hot('(aa|)', certs), state, scheduler, { maxConcurrentExecutions: 1 });
      expectObservable(out$.pipe(map(brief))).toBe('--a-(a|)', { a: 'executed:a' });
    });
  });

  it('executes a digest again once the earlier copy has finished, unless the state says it is executed', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state: ScriptedAuthorityState = new ScriptedAuthorityState(() => cold('-r', { r: result('a') }), {
        alreadyExecuted: (digest) => state.executed.has(digest),
      });
      const out$ = run(hot('a--a|', certs), state, scheduler);
      expectObservable(out$.pipe(map(brief))).toBe('-a-s|', { a: 'executed:a', s: 'skipped:a:already-executed' });
    });
  });

  it('skips a certificate of another epoch without executing it, loading the epoch store once per task', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState((certificate) => cold('-r', { r: result(certificate.digest) }));
      state.epoch = 1;
      const ready = { a: pending('a', { epoch: 1 }), b: pending('b', { epoch: 0 }), c: pending('c', { epoch: 2 }) };
      const out$ = run(hot('a-b-c|', ready), state, scheduler);
      expectObservable(out$.pipe(map((o) => (o.kind === 'skipped' ? `${brief(o)}@${o.currentEpoch}` : brief(o))))).toBe(
        '-ab-c|',
        { a: 'executed:a', b: 'skipped:b:wrong-epoch@1', c: 'skipped:c:wrong-epoch@1' },
      );
      scheduler.flush();
      expect(state.calls).toEqual(['a']);
      expect(state.epochLoads).toBe(3);
    });
  });

  it('follows an epoch change mid-run', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState((certificate) => cold('-r', { r: result(certificate.digest) }));
      scheduler.schedule(() => (state.epoch = 1), 2);
      const ready = { a: pending('a', { epoch: 0 }), b: pending('b', { epoch: 0 }), c: pending('c', { epoch: 1 }) };
      const out$ = run(hot('a-bc|', ready), state, scheduler);
      expectObservable(out$.pipe(map(brief))).toBe('-ab-(c|)', { a: 'executed:a', b: 'skipped:b:wrong-epoch', c: 'executed:c' });
    });
  });
});

describe('executeCertificates: fork detection', () => {
  it('emits fatal, stops intake, lets in-flight work finish, then errors with the fork, which hands back what never started', () => {
    marbles(({ cold, hot, expectObservable, expectSubscriptions }, scheduler) => {
      const state = new ScriptedAuthorityState(
        byDigest({
          a: cold('-----r', { r: result('a') }),
          b: cold('-r', { r: result('b') }),
          c: cold('-r', { r: result('c') }),
          d: cold('-r', { r: result('d') }),
        }),
      );
      const ready$ = hot('abcd|', { ...certs, b: pending('b', { expectedEffectsDigest: 'fx-other' }) });
      const out$ = run(ready$, state, scheduler, { maxConcurrentExecutions: 2 });
      const ended = catchError((error: unknown) => {
        const unstarted = error instanceof ForkDetectedError ? (error.summary?.unstarted ?? []).map((p) => p.certificate.digest) : [];
        return of(`${(error as Error).name}, unstarted ${unstarted.join(',')}`);
      });
      // c arrived in the frame of the fork, before it: received, never started, handed back.
      expectObservable(out$.pipe(map(brief), ended)).toBe('--f--(ae|)', { a: 'executed:a', f: 'fatal:b', e: 'ForkDetectedError, unstarted c' });
      expectSubscriptions(ready$.subscriptions).toBe('^-!');
      scheduler.flush();
      expect(state.calls).toEqual(['a', 'b']);
    });
  });

  it('describes the fork in the fatal outcome', () => {
    marbles(({ cold, hot }, scheduler) => {
      const state = new ScriptedAuthorityState(() => cold('r', { r: result('a') }));
      const seen: ExecutionOutcome[] = [];
      let ended: unknown;
      run(hot('a|', { a: pending('a', { expectedEffectsDigest: 'fx-expected' }) }), state, scheduler).subscribe({ next: (o) => seen.push(o), error: (e: unknown) => (ended = e) });
      scheduler.flush();
      expect(ended).toBeInstanceOf(ForkDetectedError);
      const [fatal] = seen;
      expect(fatal?.kind).toBe('fatal');
      if (fatal?.kind !== 'fatal') return;
      expect(fatal.error).toBeInstanceOf(ForkDetectedError);
      expect(fatal.error.expectedEffectsDigest).toBe('fx-expected');
      expect(fatal.error.actualEffectsDigest).toBe('fx-a');
      expect(fatal.effects.digest).toBe('fx-a');
    });
  });

  it('accepts effects that match the expected digest', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState(() => cold('r', { r: result('a') }));
      const out$ = run(hot('a|', { a: pending('a', { expectedEffectsDigest: 'fx-a' }) }), state, scheduler);
      expectObservable(out$.pipe(map(brief))).toBe('a|', { a: 'executed:a' });
    });
  });
});

describe('executeCertificates: source and subscription', () => {
  it('runs the backlog to the end, then re-throws a source error as ReadySourceError', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState((certificate) => cold('--r', { r: result(certificate.digest) }));
      const out$ = run(hot('ab#', certs, new Error('link down')), state, scheduler, { maxConcurrentExecutions: 1 });
      expectObservable(out$.pipe(map(brief))).toBe('--a-(b#)', { a: 'executed:a', b: 'executed:b' }, expect.objectContaining({
        name: 'ReadySourceError',
        cause: new Error('link down'),
      }));
    });
  });

  it('aborts in-flight executions when the consumer unsubscribes', () => {
    marbles(({ cold, hot, expectObservable }, scheduler) => {
      const a = cold('-----r', { r: result('a') });
      const state = new ScriptedAuthorityState(() => a);
      const out$ = run(hot('a', certs), state, scheduler);
      expectObservable(out$, '^--!').toBe('');
      scheduler.flush();
      expect(state.signals[0]?.aborted).toBe(true);
      expect(state.inFlight).toBe(0);
    });
  });

  it('starts an independent run for each subscription', () => {
    marbles(({ cold, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState((certificate) => cold('-r', { r: result(certificate.digest) }));
      const out$ = run(cold('a|', certs), state, scheduler);
      expectObservable(out$.pipe(map(brief))).toBe('-(a|)', { a: 'executed:a' });
      expectObservable(out$.pipe(map(brief))).toBe('-(a|)', { a: 'executed:a' });
    });
  });

  it('rejects bad options with a typed error at creation', () => {
    const state = new ScriptedAuthorityState(() => of(result('a')));
    expect(() => executeCertificates({ authorityState: state, maxConcurrentExecutions: 0 })).toThrow(
      'Invalid option maxConcurrentExecutions: got 0, expected an integer >= 1',
    );
    expect(() => executeCertificates({ authorityState: {} as never })).toThrow(/Invalid option authorityState/);
    expect(() => executeCertificates({ authorityState: state, retry: { maxAttempts: 0 } })).toThrow(/retry.maxAttempts/);
  });

  it('throws nothing out of the operator when the state throws from loadEpochStore', () => {
    marbles(({ hot, expectObservable }, scheduler) => {
      const state = new ScriptedAuthorityState(() => throwError(() => new Error('unused')));
      state.loadEpochStoreOneCallPerTask = () => {
        throw new Error('epoch store unavailable');
      };
      const out$ = run(hot('a|', certs), state, scheduler);
      expectObservable(out$.pipe(map(brief))).toBe('a|', { a: 'failed:a:execution-error' });
    });
  });
});
