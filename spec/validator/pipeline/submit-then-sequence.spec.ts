import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HandedBackCertificate } from '../../../lib/validator/manager/transaction-manager';
import type { AdmissionLimits } from '../../../lib/validator/manager/transaction-manager';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import type { CertifiedTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { generateWorkload } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { until } from '../resubmitting-client';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A certificate submitted first and then sequenced by consensus is consensus
 * output: it executes on every validator, so no age or budget limit hands it
 * back here (a review's repro: handed back after `maxAwaitingCreationAgeMs`,
 * it never executed, while a validator that got it only through the commit
 * executed it).
 */
describe('validator pipeline: a certificate submitted, then sequenced', () => {
  /** A merge (owned only) whose input is created by an earlier step: submitted alone, it waits for a creation. */
  function mergeWorkload() {
    const workload = generateWorkload({ seed: 3, transactions: 40, accounts: 3, mergeReceivedCoins: 1, sign: false });
    const genesisIds = new Set(workload.genesis.map((o) => o.id));
    const at = workload.steps.findIndex((s) => !s.shared && s.certificate.data.inputs.some((i) => i.kind === 'owned' && !genesisIds.has(i.ref.id)));
    expect(at).toBeGreaterThan(0);
    return { workload, merge: (workload.steps[at] as (typeof workload.steps)[number]).certificate, before: workload.steps.slice(0, at) };
  }

  async function start(workload: ReturnType<typeof generateWorkload>, limits: AdmissionLimits, database?: string) {
    const pipeline = await startValidatorPipeline({
      committee: workload.committee,
      genesis: workload.genesis,
      verifySignatures: false,
      logger: silentLogger,
      limits: { maxQueueAgeMs: 60_000, ...limits },
      ...(database === undefined ? {} : { database }),
    });
    const handedBack: HandedBackCertificate[] = [];
    pipeline.handedBack$.subscribe((h) => handedBack.push(h));
    const executed = new Set<string>();
    pipeline.state.committed$.subscribe(({ certificate }) => executed.add(certificate.digest));
    return { pipeline, handedBack, executed };
  }

  /** Deliver the steps before the merge (its inputs come to exist), committing the shared ones from `index` on. */
  async function deliver(pipeline: Awaited<ReturnType<typeof start>>['pipeline'], steps: readonly { shared: boolean; certificate: CertifiedTransaction }[], index: number) {
    for (const step of steps) {
      if (step.shared) await pipeline.commit({ digest: `c${index}`, index: index++, certificates: [step.certificate] });
      else await pipeline.submit([step.certificate]);
    }
  }

  it('is not handed back by the awaiting-creation age, moves to the consensus budget, and executes once its inputs exist', async () => {
    const { workload, merge, before } = mergeWorkload();
    const { pipeline, handedBack, executed } = await start(workload, { maxAwaitingCreationAgeMs: 20 });
    expect(await pipeline.submit([merge])).toEqual(['pending']);
    expect(pipeline.manager.load).toMatchObject({ awaitingCreation: 1, consensus: 0 });
    expect(await pipeline.commit({ digest: 'c0', index: 0, certificates: [merge] })).toEqual(['already-pending']);
    expect(pipeline.manager.load).toMatchObject({ awaitingCreation: 0, consensus: 1 });
    await pause(100); // five age limits; the pipeline sweeps on its own timer
    expect(pipeline.manager.expireAged()).toBe(0);
    expect(handedBack).toEqual([]);
    await deliver(pipeline, before, 1);
    await until(() => executed.has(merge.digest), () => `merge not executed; ${JSON.stringify(pipeline.manager.counts)}`);
    expect(handedBack).toEqual([]);
    await pipeline.stop();
  });

  it('is not handed back by the past-limit age either', async () => {
    const workload = generateWorkload({ seed: 2, transactions: 30, accounts: 2, sign: false });
    const owned = workload.steps.filter((s) => !s.shared).map((s) => s.certificate);
    const sender = (owned[0] as CertifiedTransaction).data.sender;
    const [a1, a2, a3] = owned.filter((c) => c.data.sender === sender) as [CertifiedTransaction, CertifiedTransaction, CertifiedTransaction];
    const { pipeline, handedBack, executed } = await start(workload, { maxPendingAndExecuting: 1, maxPastLimitAgeMs: 20 });
    await pipeline.submit([a3]);
    await pipeline.submit([a2]); // past the limit: it writes what a3 waits for
    expect(pipeline.manager.load).toMatchObject({ pastLimit: 1 });
    expect(await pipeline.commit({ digest: 'c0', index: 0, certificates: [a2] })).toEqual(['already-pending']);
    expect(pipeline.manager.load).toMatchObject({ pastLimit: 0, consensus: 1 });
    await pause(100);
    expect(pipeline.manager.expireAged()).toBe(0);
    await pipeline.submit([a1]);
    await until(() => [a1, a2, a3].every((c) => executed.has(c.digest)), () => `executed ${[a1, a2, a3].map((c) => executed.has(c.digest)).join()}`);
    expect(handedBack.map((h) => h.certificate.digest)).not.toContain(a2.digest);
    await pipeline.stop();
  });

  it('is handed back by stop() with its commit', async () => {
    const { workload, merge } = mergeWorkload();
    const { pipeline } = await start(workload, {});
    await pipeline.submit([merge]);
    await pipeline.commit({ digest: 'c0', index: 0, certificates: [merge] });
    const { heldByManager } = await pipeline.stop();
    expect(heldByManager).toEqual([{ certificate: merge, commit: { digest: 'c0', index: 0 } }]);
  });

  it('durable: its pending record holds its commit once the commit resolves, no hand-back forgets it, and a restart recovers it as sequenced', async () => {
    const { workload, merge, before } = mergeWorkload();
    const database = join(mkdtempSync(join(tmpdir(), 'submit-then-sequence-')), 'db.mdb');
    let run = await start(workload, { maxAwaitingCreationAgeMs: 20 }, database);
    await run.pipeline.submit([merge]);
    await run.pipeline.commit({ digest: 'c0', index: 0, certificates: [merge] });
    const record = () => run.pipeline.database?.epochTables.pendingCertificates().find((r) => r.certificate.digest === merge.digest);
    expect(record()?.commit).toEqual({ digest: 'c0', index: 0 });
    await pause(100);
    expect(run.handedBack).toEqual([]);
    expect(record()?.commit).toEqual({ digest: 'c0', index: 0 });
    await run.pipeline.stop();
    run = await start(workload, { maxAwaitingCreationAgeMs: 20 }, database);
    expect(run.pipeline.recovered?.reenqueued).toBe(1);
    expect(run.pipeline.manager.load).toMatchObject({ consensus: 1, awaitingCreation: 0 });
    await pause(100);
    expect(run.handedBack).toEqual([]);
    await deliver(run.pipeline, before, 1);
    await until(() => run.executed.has(merge.digest), () => `merge not executed after the restart; ${JSON.stringify(run.pipeline.manager.counts)}`);
    await run.pipeline.stop();
  });
});
