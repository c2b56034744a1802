import { Subject } from 'rxjs';
import { ExecutionDriver, InvalidOptionError, type PendingCertificate, startExecutionDriver } from '../lib';
import { pending, result } from './support/certificates';
import { silentLogger } from './support/silent-logger';

const state = { loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }), tryExecuteImmediately: () => Promise.resolve(result('a')) };

function refusal(make: () => unknown): InvalidOptionError {
  try {
    make();
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  throw new Error('no InvalidOptionError was thrown');
}

describe('options: refused at once, with what was wrong', () => {
  it('a readyCertificates that is not an Observable is refused by the constructor, not later in spawn()', () => {
    for (const readyCertificates of [42, {}, undefined, Promise.resolve()]) {
      const error = refusal(() => new ExecutionDriver({ readyCertificates: readyCertificates as never, authorityState: state, logger: silentLogger }));
      expect(error.option).toBe('readyCertificates');
      expect(error.message).toMatch(/expected an Observable of pending certificates/);
    }
  });

  it('says a number given as a string was a string', () => {
    const error = refusal(
      () => new ExecutionDriver({ readyCertificates: new Subject(), authorityState: state, logger: silentLogger, maxConcurrentExecutions: '8' as never }),
    );
    expect(error.message).toBe('Invalid option maxConcurrentExecutions: got "8" (a string), expected an integer >= 1');
  });

  it('describes an object by its kind, not as [object Object]', () => {
    class NotAState {
      readonly kind = 'not a state';
    }
    const error = refusal(() => new ExecutionDriver({ readyCertificates: new Subject(), authorityState: new NotAState() as never }));
    expect(error.message).toMatch(/^Invalid option authorityState: got an object \(NotAState\), expected an AuthorityState/);
    expect(error.message).not.toContain('[object Object]');
  });

  it('refuses a logger or a scheduler of the wrong shape', () => {
    expect(refusal(() => new ExecutionDriver({ readyCertificates: new Subject(), authorityState: state, logger: {} as never })).option).toBe('logger');
    expect(
      refusal(() => new ExecutionDriver({ readyCertificates: new Subject(), authorityState: state, logger: silentLogger, scheduler: { now: 1 } as never })).option,
    ).toBe('scheduler');
  });

  it('refuses stop({ mode }) other than drain or abort, and the run goes on', async () => {
    const ready = new Subject<PendingCertificate>();
    const handle = new ExecutionDriver({ readyCertificates: ready, authorityState: state, logger: silentLogger }).spawn();
    expect(refusal(() => handle.stop({ mode: 'bogus' as never })).message).toBe(
      `Invalid option mode: got "bogus" (a string), expected 'drain' or 'abort'`,
    );
    ready.next(pending('a'));
    ready.complete();
    await expect(handle.done).resolves.toMatchObject({ executed: 1 });
  });

  it('startExecutionDriver: metrics are always there, typed as such (handle.metrics.registry under strict)', async () => {
    const ready = new Subject<PendingCertificate>();
    const handle = startExecutionDriver(state, ready, { logger: silentLogger });
    const registry = handle.metrics.registry; // would be TS18048 if metrics were possibly undefined
    ready.next(pending('a'));
    ready.complete();
    await handle.done;
    expect(await registry.getSingleMetricAsString('execution_driver_executed_total')).toMatch(/ 1$/m);
  });
});
