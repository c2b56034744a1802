import { filter, firstValueFrom } from 'rxjs';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import type { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { WorkloadGenerator } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { temporaryDatabase } from '../storage/temporary-database';

describe('a durable stop while an answer waits for the disk', () => {
  it.each(['submit', 'commit'] as const)('waits for it: a %s answered already-executed is not refused by the close', async (call) => {
    const generator = new WorkloadGenerator({ seed: 8, accounts: 4, contention: 0.5, hotCounters: 2, sign: false });
    const step = generator.next(20).find((s) => (call === 'commit' ? s.shared : !s.shared));
    if (!step) throw new Error(`the workload has no ${call === 'commit' ? 'shared' : 'owned'} step`);
    const pipeline = await startValidatorPipeline({ committee: generator.committee, genesis: generator.genesis, database: await temporaryDatabase(), logger: silentLogger, verifySignatures: false });
    const deliver = () => (call === 'commit' ? pipeline.commit({ digest: 'c0', index: 0, certificates: [step.certificate] }) : pipeline.submit([step.certificate]));
    const executed = firstValueFrom(pipeline.outcomes$.pipe(filter((o) => o.digest === step.certificate.digest)));
    await deliver();
    expect((await executed).kind).toBe('executed');
    // The answer's wait for the disk is held 100 ms; the stop comes meanwhile.
    const store = pipeline.database as LmdbObjectStore;
    const original = store.whenOnDisk.bind(store);
    let waiting!: () => void;
    const waited = new Promise<void>((resolve) => (waiting = resolve));
    store.whenOnDisk = async (digests) => {
      waiting();
      await new Promise((resolve) => setTimeout(resolve, 100));
      return original(digests);
    };
    const answer = deliver();
    await waited;
    const stopped = pipeline.stop();
    await expect(answer).resolves.toEqual(['already-executed']);
    await stopped;
  });
});
