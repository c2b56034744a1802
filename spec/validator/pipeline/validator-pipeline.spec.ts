import { Registry } from 'prom-client';
import { ExecutionDriverMetrics } from '../../../lib';
import { certifyTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { ConsensusRequiredError, InvalidCertificateError } from '../../../lib/validator/errors';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { TransactionManagerMetrics } from '../../../lib/validator/manager/transaction-manager-metrics';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { generateWorkload } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';

async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe('startValidatorPipeline', () => {
  it('verifies, executes a signed workload and reports TransactionManager metrics', async () => {
    const workload = generateWorkload({ seed: 3, transactions: 12, accounts: 3, contention: 0.3, invalidShare: 0.2 });
    const registry = new Registry();
    const pipeline = await startValidatorPipeline({
      committee: workload.committee,
      genesis: workload.genesis,
      logger: silentLogger,
      metrics: new ExecutionDriverMetrics(registry),
      managerMetrics: new TransactionManagerMetrics(registry),
    });
    let executed = 0;
    const all = new Promise<void>((resolve) =>
      pipeline.outcomes$.subscribe((o) => {
        if (o.kind === 'executed' && ++executed === workload.steps.length) resolve();
      }),
    );
    let index = 0;
    for (const step of workload.steps) {
      if (step.shared) await pipeline.commit({ digest: `c${index}`, index: index++, certificates: [step.certificate] });
      else await pipeline.submit([step.certificate]);
    }
    await all;
    expect(await pipeline.submit(workload.steps.filter((s) => !s.shared).map((s) => s.certificate).slice(0, 1))).toEqual(['already-executed']);
    await pipeline.stop();
    const enqueued = (result: string) => metricValue(registry, 'transaction_manager_enqueued_total', { result });
    expect(((await enqueued('ready')) ?? 0) + ((await enqueued('pending')) ?? 0)).toBe(12);
    expect(await enqueued('already-executed')).toBe(1);
    expect(await metricValue(registry, 'transaction_manager_pending')).toBe(0);
    expect(await metricValue(registry, 'transaction_manager_executing')).toBe(0);
    expect(await metricValue(registry, 'execution_driver_executed_total')).toBe(12);
    const ages = await registry.getSingleMetric('transaction_manager_queue_age_seconds')?.get();
    expect(ages?.values.find((v) => (v as { metricName?: string }).metricName === 'transaction_manager_queue_age_seconds_count')?.value).toBe(12);
  });

  it('refuses a forged certificate and a shared one submitted directly, enqueuing nothing', async () => {
    const workload = generateWorkload({ seed: 4, transactions: 6, accounts: 2, contention: 0.5 });
    const pipeline = await startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis, logger: silentLogger });
    const ownedStep = workload.steps.find((s) => !s.shared);
    const sharedStep = workload.steps.find((s) => s.shared);
    if (!ownedStep || !sharedStep) throw new Error('workload lacks a kind of step');
    // Same epoch and member names, other keys (another seed): an aggregate that does not verify against the committee.
    const outsiders = generateCommittee(0, [1, 1, 1, 1], 99);
    const forged = { ...ownedStep.certificate, quorumSignature: certifyTransaction(ownedStep.certificate.data, outsiders.committee, outsiders.signers.slice(0, 3)).quorumSignature };
    await expect(pipeline.submit([ownedStep.certificate, forged])).rejects.toThrow(InvalidCertificateError);
    await expect(pipeline.submit([forged])).rejects.toMatchObject({ problem: 'invalid-signature' });
    await expect(pipeline.submit([sharedStep.certificate])).rejects.toThrow(ConsensusRequiredError);
    expect(pipeline.manager.counts).toEqual({ pending: 0, executing: 0, missingObjects: 0 });
    await pipeline.stop();
  });
});

describe('reconfiguration', () => {
  it('hands back old-epoch certificates still waiting for inputs, and refuses the old epoch afterwards', async () => {
    const workload = generateWorkload({ seed: 5, transactions: 8, accounts: 1 }); // one account: a single dependent chain
    const pipeline = await startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis, logger: silentLogger });
    const [first, ...rest] = workload.steps.map((s) => s.certificate);
    if (!first) throw new Error('empty workload');
    // Everything but the head of the chain waits for inputs that will not come before the epoch ends.
    await pipeline.submit(rest);
    expect(pipeline.manager.counts.pending).toBe(rest.length);
    const next = generateCommittee(1, [1, 1, 1, 1]);
    const dropped = await pipeline.reconfigure(next.committee);
    expect(dropped.map((c) => c.digest).sort()).toEqual(rest.map((c) => c.digest).sort());
    expect(pipeline.manager.counts).toEqual({ pending: 0, executing: 0, missingObjects: 0 });
    await expect(pipeline.submit([first])).rejects.toThrow(/certified in epoch 0, committee is of epoch 1/);
    await pipeline.stop();
  });
});

describe('generateWorkload', () => {
  it('is deterministic for a seed, and mixes payments, shared increments and aborts', () => {
    const options = { seed: 11, transactions: 200, accounts: 5, contention: 0.2, invalidShare: 0.2, duplicateShare: 0.1, sign: false };
    const a = generateWorkload(options);
    const b = generateWorkload(options);
    expect(a.steps.map((s) => s.certificate.digest)).toEqual(b.steps.map((s) => s.certificate.digest));
    expect(a.expectedFinalObjects).toEqual(b.expectedFinalObjects);
    const shared = a.steps.filter((s) => s.shared).length;
    expect(shared).toBeGreaterThan(20);
    expect(shared).toBeLessThan(70);
    expect(a.duplicates.length).toBeGreaterThan(5);
    const counterValues = a.expectedFinalObjects.flatMap((o) => (o.contents.type === 'counter' ? [o.contents.value] : []));
    expect(counterValues.reduce((x, y) => x + y, 0n)).toBe(BigInt(shared));
  });
});
