import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { type ValidatorPipeline, startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import type { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { StoreFullError } from '../../../lib/validator/storage/store-errors';
import { WorkloadGenerator } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { temporaryDatabase } from '../storage/temporary-database';

/** Queue ages are real time here: on a loaded machine, submits behind a paused driver would pass the default 1 s. */
const limits = { maxQueueAgeMs: 60_000 };

/** Resolve once every digest has executed (the store says so), or reject after `ms`. */
async function executed(pipeline: ValidatorPipeline, digests: readonly string[], ms = 10_000): Promise<void> {
  const store = pipeline.database as LmdbObjectStore;
  const deadline = performance.now() + ms;
  for (;;) {
    const done = await Promise.all(digests.map(async (digest) => (await store.readExecuted(digest)) !== undefined));
    if (done.every(Boolean)) return;
    if (performance.now() > deadline) throw new Error(`${done.filter((d) => !d).length} of ${digests.length} never executed`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('a durable pipeline across restarts (found by the simulator)', () => {
  it('executes what it recovered with its inputs available: the restore releases it once the driver listens', async () => {
    const generator = new WorkloadGenerator({ seed: 3, accounts: 4, sign: false });
    const steps = generator.next(20).filter((step) => !step.shared);
    const path = await temporaryDatabase();
    const start = () => startValidatorPipeline({ committee: generator.committee, genesis: generator.genesis, database: path, logger: silentLogger, verifySignatures: false, limits });
    const first = await start();
    first.driver.pause(); // everything accepted waits: at the stop, it is handed back and stays pending on disk
    for (const step of steps) await first.submit([step.certificate]);
    const summary = await first.stop();
    expect(summary.unstarted.length).toBeGreaterThan(0); // released, never started: their inputs are available at the restart
    const second = await start();
    expect(second.recovered?.reenqueued).toBe(steps.length);
    // Before the fix, what the restore released at once went out before the driver subscribed: nothing executed.
    await executed(second, steps.map((step) => step.certificate.digest));
    expect(second.manager.counts).toEqual({ pending: 0, executing: 0, missingObjects: 0 });
    await second.stop();
  }, 30_000);

  it('never acknowledges a certificate of the next epoch before that epoch is on disk', async () => {
    const generator = new WorkloadGenerator({ seed: 4, accounts: 3, sign: false });
    const genesis = generator.genesis;
    const committee0 = generator.committee;
    const next = generateCommittee(1, [1, 1, 1, 1]).committee;
    generator.advanceEpoch(1);
    const [step] = generator.next(1).filter((s) => !s.shared);
    if (!step) throw new Error('the workload starts with a shared transaction');
    const path = await temporaryDatabase();
    const start = () => startValidatorPipeline({ committee: committee0, genesis, database: path, logger: silentLogger, verifySignatures: false, limits });
    const first = await start();
    // The epoch record fails (a full disk), after a while: a submission arrives meanwhile.
    const tables = (first.database as LmdbObjectStore).epochTables;
    let recordFails: (() => void) | undefined;
    tables.recordEpoch = () => new Promise((_, reject) => (recordFails = () => reject(new StoreFullError(path))));
    const reconfigured = first.reconfigure(next);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const answer = await first.submit([step.certificate]);
    recordFails?.();
    await expect(reconfigured).rejects.toThrow(StoreFullError);
    // Before the fix the state had switched already: 'ready', written to disk, then lost by the restart below.
    expect(answer).toEqual(['wrong-epoch']);
    await first.stop({ mode: 'abort' });
    const second = await start();
    expect(second.recovered?.epoch).toBe(0);
    await second.reconfigure(next);
    expect(await second.submit([step.certificate])).toEqual(['ready']);
    await executed(second, [step.certificate.digest]);
    await second.stop();
  }, 30_000);
});
