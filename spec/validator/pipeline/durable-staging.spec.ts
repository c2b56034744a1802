import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import type { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { StoreFullError } from '../../../lib/validator/storage/store-errors';
import { generateWorkload } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { temporaryDatabase } from '../storage/temporary-database';

const workload = generateWorkload({ seed: 32, transactions: 20, accounts: 10, contention: 0, invalidShare: 0 });

describe('a durable pipeline whose store fails to land a batch', () => {
  it('reports that certificate failed, then takes no more work, and keeps what was accepted pending on disk', async () => {
    const path = await temporaryDatabase();
    const pipeline = await startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis, database: path, logger: silentLogger, verifySignatures: false });
    const store = pipeline.database as LmdbObjectStore;
    const full = new StoreFullError(path);
    // The disk fills under the first transfer: staged (so announced), never on disk.
    store.stage = () => Promise.reject(full);
    const failed = new Promise((resolve) => pipeline.outcomes$.subscribe((o) => o.kind === 'failed' && resolve(o.error)));
    const [first, ...rest] = workload.steps.map((s) => s.certificate);
    if (!first) throw new Error('no step');
    await pipeline.submit([first]);
    expect(await failed).toBe(full);
    await expect(pipeline.submit(rest)).rejects.toBe(full);
    expect(store.epochTables.pendingCount()).toBe(1); // the accepted one, for a restart
    await pipeline.stop();
  });

  it.each([
    ['a full disk', 28],
    ['a read-only remount', 30],
  ])('answers a resubmission read from a staged batch only once it is on disk: with %s, the store error, never already-executed', async (_, code) => {
    const path = await temporaryDatabase();
    const pipeline = await startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis, database: path, logger: silentLogger, verifySignatures: false });
    const store = pipeline.database as LmdbObjectStore;
    const certificate = workload.steps.find((s) => !s.shared)?.certificate;
    if (!certificate) throw new Error('no owned step');
    // Every batch's landing fails a little later (a write on lmdb-js's writer thread failing).
    const executed = (store as unknown as { executed: { ifNoExists: (...args: unknown[]) => Promise<boolean> } }).executed;
    executed.ifNoExists = () => new Promise((_resolve, reject) => setTimeout(() => reject(Object.assign(new Error(`write failed (${code})`), { code })), 30));
    // Resubmitted the moment it is staged: the manager reads its executed record from the staged batch.
    const answer = new Promise<unknown>((resolve) => {
      const watching = pipeline.state.committed$.subscribe(({ certificate: staged }) => {
        if (staged.digest !== certificate.digest) return;
        watching.unsubscribe();
        resolve(pipeline.submit([certificate]).then((results) => results, (error: unknown) => error));
      });
    });
    expect(await pipeline.submit([certificate])).toEqual(['ready']);
    const second = await answer;
    expect(second).toBeInstanceOf(Error);
    expect(second).not.toEqual(['already-executed']);
    expect(await store.readExecuted(certificate.digest)).toBeUndefined();
    expect(store.epochTables.pendingCount()).toBe(1);
    // And the pipeline takes no more work.
    await expect(pipeline.submit([certificate])).rejects.toBe(second);
    await pipeline.stop({ mode: 'abort' }).catch(() => undefined);
  });
});
