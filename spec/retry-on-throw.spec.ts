import { Subject } from 'rxjs';
import { type AuthorityState, ExecutionDriver, type ExecutionOutcome, type PendingCertificate, TransientExecutionError } from '../lib';
import { brief, pending, result } from './support/certificates';
import { silentLogger } from './support/silent-logger';

/** The README's promise: throw or reject with a TransientExecutionError to get retries. A throw is an error of its attempt, as a rejection. */
describe('a state that throws from tryExecuteImmediately', () => {
  async function run(throwFirst: unknown): Promise<{ outcome: ExecutionOutcome | undefined; calls: number }> {
    let calls = 0;
    const state: AuthorityState = {
      loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
      tryExecuteImmediately: (certificate) => {
        calls++;
        if (calls === 1) throw throwFirst;
        return Promise.resolve(result(certificate.digest));
      },
    };
    const ready = new Subject<PendingCertificate>();
    let outcome: ExecutionOutcome | undefined;
    const handle = new ExecutionDriver({ readyCertificates: ready, authorityState: state, retry: { maxAttempts: 3, initialDelayMs: 1 }, logger: silentLogger }).spawn({
      next: (o) => (outcome = o),
    });
    ready.next(pending('a'));
    ready.complete();
    await handle.done;
    return { outcome, calls };
  }

  it('is retried when the error is transient, and the retry succeeds', async () => {
    const { outcome, calls } = await run(new TransientExecutionError('store busy'));
    expect(outcome && brief(outcome)).toBe('executed:a');
    expect(outcome?.kind === 'executed' && outcome.attempts).toBe(2);
    expect(calls).toBe(2);
  });

  it('fails at once when it is not', async () => {
    const { outcome, calls } = await run(new Error('bug'));
    expect(outcome && brief(outcome)).toBe('failed:a:execution-error');
    expect(calls).toBe(1);
  });
});
