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
});
