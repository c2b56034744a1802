import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Observable, type SchedulerLike, asyncScheduler } from 'rxjs';
import {
  type AuthorityState,
  type ExecutionOutcome,
  InvalidExecutionResultError,
  type PendingCertificate,
  RetryClassificationError,
} from '../lib';
import { brief, pending, result } from './support/certificates';
import { spawnCollecting } from './support/collecting-driver';
import { BAD_RETURNS, CARRIES_A_RESULT, PHASES, runScenario } from './support/hostile-states';
import { silentLogger } from './support/silent-logger';

describe('a hostile AuthorityState: every bad return, in every phase', () => {
  for (const [name, bad] of Object.entries(BAD_RETURNS)) {
    for (const phase of PHASES) {
      it(`${name}, ${phase}: one outcome each, the run ends, nothing called after the outcome`, async () => {
        const { outcomes, summary, callsAfterOutcome } = await runScenario(bad, phase);
        const hostile = outcomes.filter((o) => o.digest === 'hostile');
        const neighbour = outcomes.filter((o) => o.digest === 'neighbour');
        expect(hostile).toHaveLength(1);
        expect(neighbour.map(brief)).toEqual(['executed:neighbour']);
        expect(summary.unstarted).toEqual([]);
        expect(summary.executed + summary.failed).toBe(outcomes.length);
        expect(callsAfterOutcome).toBe(0);
        const [outcome] = hostile;
        // A value that carries a result first counts as one; everything else is a typed failure.
        if (CARRIES_A_RESULT.has(name) && phase !== 'during abort stop') expect(outcome?.kind).toBe('executed');
        else expect(outcome?.kind).toBe('failed');
      });
    }
  }

  it('nothing escapes to the process, and lowering the limit under load is no leak warning (in a process of its own)', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'support', 'hostile-escapes.ts')], {
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'test' },
      timeout: 120_000,
    });
    expect(child.stderr).toBe('');
    const report = JSON.parse(child.stdout) as {
      escapes: string[];
      results: { scenario: string; outcomes: string[] }[];
      limitLowered: { executed: number; signalListenersAtOnce: number };
    };
    expect(report.escapes).toEqual([]);
    expect(report.results).toHaveLength(Object.keys(BAD_RETURNS).length * PHASES.length);
    // 64 executions each listening on the shared signal while the limit drops from 64 to 1: no leak warning.
    expect(report.limitLowered).toEqual({ executed: 64, signalListenersAtOnce: 64 });
    for (const { scenario, outcomes } of report.results) {
      expect([scenario, outcomes.filter((o) => o.startsWith('hostile:')).length]).toEqual([scenario, 1]);
    }
  });
});

describe('a hostile AuthorityState: typed outcomes', () => {
  async function one(state: AuthorityState, options: { isTransient?: (error: unknown) => boolean } = {}): Promise<ExecutionOutcome> {
    const { ready, outcomes, handle } = spawnCollecting({
      authorityState: state,
      retry: { initialDelayMs: 0, ...(options.isTransient ? { isTransient: options.isTransient } : {}) },
    });
    ready.next(pending('a'));
    ready.complete();
    await handle.done;
    expect(outcomes).toHaveLength(1);
    return outcomes[0] as ExecutionOutcome;
  }

  const executes: AuthorityState['tryExecuteImmediately'] = () => Promise.resolve(result('a'));

  it('an execution that is no ObservableInput: invalid-result, naming the method and the value', async () => {
    const outcome = await one({ loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }), tryExecuteImmediately: () => 42 as never });
    expect(outcome).toMatchObject({ kind: 'failed', reason: 'invalid-result', attempts: 1 });
    const error = (outcome as { error: InvalidExecutionResultError }).error;
    expect(error).toBeInstanceOf(InvalidExecutionResultError);
    expect(error.method).toBe('tryExecuteImmediately');
    expect(error.message).toContain('42, not an ObservableInput');
  });

  it('an epoch store of the wrong shape, or one that throws: a failure, never executed', async () => {
    const calls: string[] = [];
    const execute: AuthorityState['tryExecuteImmediately'] = (c) => (calls.push(c.digest), executes(c, undefined, undefined, { epoch: 0 }));
    const shapeless = await one({ loadEpochStoreOneCallPerTask: () => ({ epoch: '0' }) as never, tryExecuteImmediately: execute });
    expect(shapeless).toMatchObject({ kind: 'failed', reason: 'invalid-result' });
    expect((shapeless as { error: InvalidExecutionResultError }).error.method).toBe('loadEpochStoreOneCallPerTask');
    const throwing = await one({
      loadEpochStoreOneCallPerTask: () => {
        throw new Error('no epoch store');
      },
      tryExecuteImmediately: execute,
    });
    expect(throwing).toMatchObject({ kind: 'failed', reason: 'execution-error', attempts: 0 });
    expect(calls).toEqual([]);
  });

  it('an isTxAlreadyExecuted answer that is not a boolean (or a promise of one): invalid-result, never executed', async () => {
    for (const answer of [42, 'yes', undefined, Promise.resolve('yes')]) {
      const outcome = await one({
        loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
        isTxAlreadyExecuted: () => answer as never,
        tryExecuteImmediately: executes,
      });
      expect(outcome).toMatchObject({ kind: 'failed', reason: 'invalid-result', attempts: 0 });
      expect((outcome as { error: InvalidExecutionResultError }).error.method).toBe('isTxAlreadyExecuted');
    }
  });

  it('a retry.isTransient that throws: the certificate fails with both errors kept, and is not retried', async () => {
    let attempts = 0;
    const outcome = await one(
      {
        loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the hostile case itself
        tryExecuteImmediately: () => (attempts++, Promise.reject(undefined)),
      },
      { isTransient: (error) => (error as { code: string }).code === 'EBUSY' },
    );
    expect(outcome).toMatchObject({ kind: 'failed', reason: 'execution-error', attempts: 1 });
    const error = (outcome as { error: RetryClassificationError }).error;
    expect(error).toBeInstanceOf(RetryClassificationError);
    expect(error.executionError).toBeUndefined();
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(attempts).toBe(1);
  });

  it('a state whose method getter throws: a failure, the run goes on', async () => {
    const state = {
      loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
      tryExecuteImmediately: executes,
      get isTxAlreadyExecuted(): never {
        throw new Error('getter exploded');
      },
    };
    expect(await one(state)).toMatchObject({ kind: 'failed', reason: 'execution-error', attempts: 0 });
  });

  it('a state that stops the driver from inside an execution and then rejects: one outcome, no unhandled rejection', async () => {
    const stopper: { stop?: () => void } = {};
    const { ready, outcomes, handle } = spawnCollecting({
      authorityState: {
        loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
        tryExecuteImmediately: () => {
          stopper.stop?.();
          return Promise.reject(new Error('aborted by my own stop'));
        },
      },
    });
    stopper.stop = () => void handle.stop({ mode: 'abort' });
    ready.next(pending('a'));
    await handle.done;
    expect(outcomes.map(brief)).toEqual(['failed:a:aborted']);
  });

  it('an item whose getters throw is a malformed-certificate outcome, not an uncaught error', async () => {
    const hostileItem = {
      get certificate(): never {
        throw new Error('getter exploded');
      },
    } as unknown as PendingCertificate;
    const { outcomes, handle } = spawnCollecting({
      readyCertificates: new Observable<PendingCertificate>((s) => {
        s.next(hostileItem);
        s.next(pending('b'));
        s.complete();
      }),
      authorityState: { loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }), tryExecuteImmediately: () => Promise.resolve(result('b')) },
    });
    await handle.done;
    expect(outcomes.map(brief)).toEqual(['failed::malformed-certificate', 'executed:b']);
  });

  it('a logger that throws on every call changes no outcome', async () => {
    const broken = new Proxy(silentLogger, {
      get(target, property) {
        if (property === 'level' || property === 'silent') return property === 'level' ? 'debug' : false;
        if (property === 'isLevelEnabled') return () => true;
        if (typeof (target as unknown as Record<PropertyKey, unknown>)[property] === 'function') {
          return () => {
            throw new Error('logger exploded');
          };
        }
        return Reflect.get(target, property) as unknown;
      },
    });
    const { ready, outcomes, handle } = spawnCollecting({
      authorityState: {
        loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
        tryExecuteImmediately: (c) => (c.digest === 'b' ? Promise.reject(new Error('boom')) : Promise.resolve(result(c.digest))),
      },
      logger: broken,
    });
    handle.setMaxConcurrentExecutions(2);
    handle.pause();
    handle.resume();
    ready.next(pending('a'));
    ready.next(pending('b'));
    ready.complete();
    const summary = await handle.done;
    expect(outcomes.map(brief).sort()).toEqual(['executed:a', 'failed:b:execution-error']);
    expect(summary.executed).toBe(1);
  });

  it('a scheduler whose clock throws: timings go flat, outcomes are unchanged', async () => {
    const scheduler = {
      now: () => {
        throw new Error('clock exploded');
      },
      schedule: (work: () => void) => asyncScheduler.schedule(work),
    } as unknown as SchedulerLike;
    const { outcomes, handle } = spawnCollecting({
      readyCertificates: new Observable<PendingCertificate>((s) => {
        s.next(pending('a'));
        s.complete();
      }),
      authorityState: { loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }), tryExecuteImmediately: () => Promise.resolve(result('a')) },
      scheduler,
    });
    await handle.done;
    expect(outcomes.map(brief)).toEqual(['executed:a']);
    expect(outcomes[0]).toMatchObject({ latencyMs: 0, queueingDelayMs: 0 });
  });
});
