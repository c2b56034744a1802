import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import type { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { generateWorkload } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { temporaryDatabase } from '../storage/temporary-database';

// Owned transfers only, few enough per account that several have their inputs on disk at once.
const workload = generateWorkload({ seed: 31, transactions: 40, accounts: 20, contention: 0, invalidShare: 0 });
const start = (database: string) => startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis, database, logger: silentLogger, verifySignatures: false });

describe('a durable restart with certificates whose inputs are already on disk', () => {
  it('executes them: recovery releases them to the driver, not before it listens', async () => {
    const path = await temporaryDatabase();
    const first = await start(path);
    first.driver.pause(); // accepted and persisted, never executed: what a crash leaves
    await first.submit(workload.steps.map((s) => s.certificate));
    await first.stop({ mode: 'abort' });

    const second = await start(path);
    expect(second.recovered?.reenqueued).toBe(workload.steps.length);
    const store = second.database as LmdbObjectStore;
    // Each account's first transfer is ready at once: it must run, and the rest after it.
    const deadline = Date.now() + 10_000;
    while (store.epochTables.pendingCount() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(store.epochTables.pendingCount()).toBe(0);
    expect(store.liveObjects().map((o) => [o.id, o.version, o.digest])).toEqual(workload.expectedFinalObjects.map((o) => [o.id, o.version, o.digest]));
    await second.stop();
  }, 20_000);

  it('recognises a pending record of a certificate that executed, and forgets it without running it again', async () => {
    const path = await temporaryDatabase();
    const first = await start(path);
    const step = workload.steps[0];
    if (!step) throw new Error('no step');
    await first.submit([step.certificate]);
    const store = first.database as LmdbObjectStore;
    while (!(await store.readExecuted(step.certificate.digest))) await new Promise((resolve) => setTimeout(resolve, 5));
    // What a submit persisting its certificate after it already executed leaves (the write races the execution).
    await store.epochTables.recordAccepted([{ certificate: step.certificate, commit: undefined, shared: new Map() }]);
    await first.stop();

    const second = await start(path);
    expect(second.recovered).toMatchObject({ reenqueued: 0, alreadyExecuted: 1 });
    expect((second.database as LmdbObjectStore).epochTables.pendingCount()).toBe(0);
    expect((second.database as LmdbObjectStore).executedCount()).toBe(2); // genesis and the one transfer
    await second.stop();
  });
});
