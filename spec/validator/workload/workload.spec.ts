import { InMemoryObjectStore } from '../../../lib/validator/storage/object-store';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { WorkloadGenerator, generateWorkload } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';

describe('WorkloadGenerator', () => {
  it('streams the same workload generateWorkload returns whole', () => {
    const whole = generateWorkload({ seed: 5, transactions: 40, accounts: 6, contention: 0.2, invalidShare: 0.1, sign: false });
    const stream = new WorkloadGenerator({ seed: 5, accounts: 6, contention: 0.2, invalidShare: 0.1, sign: false });
    const steps = [...stream.next(15), ...stream.next(25)];
    expect(steps.map((s) => s.certificate.digest)).toEqual(whole.steps.map((s) => s.certificate.digest));
    expect(stream.expectedFinalObjects()).toEqual(whole.expectedFinalObjects);
    expect(stream.generated).toBe(40);
  });

  it('with merging, keeps the number of live objects bounded, and the pipeline reaches the predicted state', async () => {
    const options = { seed: 9, accounts: 8, sign: false, invalidShare: 0 } as const;
    const growing = new WorkloadGenerator(options);
    growing.next(400);
    const merging = new WorkloadGenerator({ ...options, mergeReceivedCoins: 3 });
    const steps = merging.next(400);
    // Without merges every payment leaves a new coin; with them, each account holds at most a few.
    expect(growing.expectedFinalObjects().length).toBeGreaterThan(300);
    expect(merging.expectedFinalObjects().length).toBeLessThanOrEqual(8 * (2 + 3 + 1));
    expect(steps.some((s) => s.certificate.data.commands[0]?.kind === 'merge-coins')).toBe(true);

    const store = new InMemoryObjectStore({ versionsPerObject: 2, executedTransactions: 100 });
    const pipeline = await startValidatorPipeline({ committee: merging.committee, genesis: merging.genesis, store, verifySignatures: false, logger: silentLogger });
    let committed = 0;
    const all = new Promise<void>((resolve) => pipeline.state.committed$.subscribe(() => ++committed === steps.length && resolve()));
    for (let i = 0; i < steps.length; i += 50) await pipeline.submit(steps.slice(i, i + 50).map((s) => s.certificate));
    await all;
    await pipeline.stop();
    expect(store.liveObjects().map((o) => [o.id, o.version, o.digest])).toEqual(merging.expectedFinalObjects().map((o) => [o.id, o.version, o.digest]));
  });
});
