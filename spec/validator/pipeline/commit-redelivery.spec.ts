import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionOutcome } from '../../../lib/outcomes';
import type { Committee } from '../../../lib/validator/certificates/committee';
import { certifyTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { ReferenceAuthorityState } from '../../../lib/validator/execution/reference-authority-state';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import type { ObjectStore } from '../../../lib/validator/storage/object-store';
import { generateWorkload } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { until } from '../resubmitting-client';

/** Fails the first execution of one certificate, not transiently (the driver gives it a `failed` outcome and lets it go). */
class FailingOnce extends ReferenceAuthorityState {
  private failed = false;
  constructor(
    store: ObjectStore,
    committee: Committee,
    private readonly target: { digest?: string },
  ) {
    super(store, committee);
  }

  override tryExecuteImmediately(...call: Parameters<ReferenceAuthorityState['tryExecuteImmediately']>): ReturnType<ReferenceAuthorityState['tryExecuteImmediately']> {
    if (call[0].digest === this.target.digest && !this.failed) {
      this.failed = true;
      return Promise.reject(new Error('injected failure'));
    }
    return super.tryExecuteImmediately(...call);
  }
}

const database = () => join(mkdtempSync(join(tmpdir(), 'commit-redelivery-')), 'db.mdb');

/** A pipeline for `workload`, unsigned, durable on a new database or in memory, with `more` options. */
const startFor = (workload: ReturnType<typeof generateWorkload>, durable: boolean, more: Partial<Parameters<typeof startValidatorPipeline>[0]> = {}) =>
  startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis, verifySignatures: false, logger: silentLogger, ...(durable ? { database: database() } : {}), ...more });

/**
 * A commit delivered again (same index, same certificates) gets the same
 * answer from a durable pipeline as from one in memory: before, a durable one
 * answered `already-pending` for every certificate not executed, from its
 * records, whether the pipeline held it or not (a review's repro: one whose
 * execution had failed then never ran again until a restart; one handed back
 * by a reconfiguration was `already-pending` with nothing held).
 */
describe.each([
  ['in memory', false],
  ['durable', true],
] as const)('validator pipeline: a redelivered commit (%s)', (_, durable) => {
  it('enqueues again a certificate whose execution failed, at the versions it was first assigned, and it executes', async () => {
    const workload = generateWorkload({ seed: 5, transactions: 30, accounts: 3, contention: 0.5, sign: false });
    const at = workload.steps.findIndex((s) => s.shared);
    const target = (workload.steps[at] as (typeof workload.steps)[number]).certificate;
    const failing = { digest: target.digest };
    const outcomes: ExecutionOutcome[] = [];
    const pipeline = await startFor(workload, durable, {
      createState: (store, committee) => new FailingOnce(store, committee, failing),
      onWired: (wired) => wired.outcomes$.subscribe((o) => outcomes.push(o)),
    });
    for (const step of workload.steps.slice(0, at)) await pipeline.submit([step.certificate]);
    const commit = { digest: 'c0', index: 0, certificates: [target] };
    expect(await pipeline.commit(commit)).toEqual(['ready']);
    await until(() => outcomes.some((o) => o.digest === target.digest), () => 'no outcome');
    expect(outcomes.filter((o) => o.digest === target.digest).map((o) => o.kind)).toEqual(['failed']);
    const assigned = pipeline.state.loadEpochStoreOneCallPerTask().sharedVersionsOf(target.digest);
    expect(assigned).toBeDefined();
    expect(await pipeline.commit(commit)).toEqual(['ready']);
    await until(() => outcomes.some((o) => o.digest === target.digest && o.kind === 'executed'), () => JSON.stringify(outcomes.map((o) => o.kind)));
    const { effects } = (await pipeline.state.store.readExecuted(target.digest)) ?? {};
    const sharedIn = target.data.inputs.find((i) => i.kind === 'shared');
    expect(effects?.sharedObjects.find((s) => s.id === sharedIn?.id)?.version).toBe(assigned?.get(sharedIn?.id ?? ''));
    // Executed now: a third delivery says so.
    expect(await pipeline.commit(commit)).toEqual(['already-executed']);
    await pipeline.stop();
  });

  it('answers wrong-epoch for a certificate a reconfiguration handed back, and already-pending only for one held', async () => {
    const workload = generateWorkload({ seed: 3, transactions: 40, accounts: 3, mergeReceivedCoins: 1, sign: false });
    const genesisIds = new Set(workload.genesis.map((o) => o.id));
    const merge = workload.steps.find((s) => !s.shared && s.certificate.data.inputs.some((i) => i.kind === 'owned' && !genesisIds.has(i.ref.id)))?.certificate;
    if (!merge) throw new Error('no merge in the workload');
    const pipeline = await startFor(workload, durable);
    const commit = { digest: 'c0', index: 0, certificates: [merge] };
    expect(await pipeline.commit(commit)).toEqual(['pending']);
    expect(await pipeline.commit(commit)).toEqual(['already-pending']); // held: it waits for its input
    expect(await pipeline.reconfigure(generateCommittee(1, [1, 1, 1, 1], 3).committee)).toEqual([merge]);
    expect(await pipeline.commit(commit)).toEqual(['wrong-epoch']);
    expect(pipeline.manager.counts.pending).toBe(0);
    await pipeline.stop();
  });

  it('answers already-executed, not wrong-epoch, for a certificate that executed in the epoch before', async () => {
    const workload = generateWorkload({ seed: 5, transactions: 30, accounts: 3, contention: 0.5, sign: false });
    const at = workload.steps.findIndex((s) => s.shared);
    const target = (workload.steps[at] as (typeof workload.steps)[number]).certificate;
    const pipeline = await startFor(workload, durable);
    const executed = new Promise<void>((resolve) => {
      pipeline.state.committed$.subscribe(({ certificate }) => {
        if (certificate.digest === target.digest) resolve();
      });
    });
    for (const step of workload.steps.slice(0, at)) await pipeline.submit([step.certificate]);
    const commit = { digest: 'c0', index: 0, certificates: [target] };
    expect(await pipeline.commit(commit)).toEqual(['ready']);
    await executed;
    await pipeline.reconfigure(generateCommittee(1, [1, 1, 1, 1], 5).committee);
    expect(await pipeline.commit(commit)).toEqual(['already-executed']);
    await pipeline.stop();
  });
});

describe('validator pipeline: a commit redelivered after a restart', () => {
  it('answers already-pending for what the restart took back, already-executed for what executed', async () => {
    const workload = generateWorkload({ seed: 5, transactions: 30, accounts: 3, contention: 0.5, sign: false });
    const at = workload.steps.findIndex((s) => s.shared);
    const first = (workload.steps[at] as (typeof workload.steps)[number]).certificate;
    // Its gas coin version does not exist yet: it waits.
    const { committee, signers } = generateCommittee(0, [1, 1, 1, 1], 5);
    const second = certifyTransaction({ ...first.data, gas: { ...first.data.gas, payment: { ...first.data.gas.payment, version: first.data.gas.payment.version + 5 } } }, committee, signers);
    const path = database();
    const start = () => startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis, verifySignatures: false, logger: silentLogger, database: path });
    let pipeline = await start();
    for (const step of workload.steps.slice(0, at)) await pipeline.submit([step.certificate]);
    const executedFirst = new Promise<void>((resolve) => {
      pipeline.state.committed$.subscribe(({ certificate }) => {
        if (certificate.digest === first.digest) resolve();
      });
    });
    expect(await pipeline.commit({ digest: 'c0', index: 0, certificates: [first] })).toEqual(['ready']);
    await executedFirst;
    const secondCommit = { digest: 'c1', index: 1, certificates: [second] };
    expect(await pipeline.commit(secondCommit)).toEqual(['pending']);
    await pipeline.stop();
    pipeline = await start();
    expect(pipeline.manager.counts.pending).toBe(1);
    // A new commit first: the redeliveries after it go back, and are recognised from the disk's records.
    expect(await pipeline.commit({ digest: 'c2', index: 2, certificates: [] })).toEqual([]);
    expect(await pipeline.commit({ digest: 'c0', index: 0, certificates: [first] })).toEqual(['already-executed']);
    expect(await pipeline.commit(secondCommit)).toEqual(['already-pending']);
    expect(pipeline.manager.counts.pending).toBe(1);
    await pipeline.stop();
  });
});
