import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certifyTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { isCancelled } from '../../../lib/validator/execution/cancelled-execution';
import type { StateEffects } from '../../../lib/validator/model/effects';
import { type ValidatorPipeline, startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { generateWorkload } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { until } from '../resubmitting-client';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Nothing of an epoch's sequencing (shared objects' next versions, owned
 * claims, sequenced records) outlives it, on disk either: a restart after a
 * reconfiguration behaves as no restart. Before, a restart took the old
 * epoch's next versions into the new one (a review's repro: a counter
 * increment of the new epoch waited for good for a version only a handed-back
 * certificate would have written), and claims written by a commit sequenced
 * while the epoch was being recorded (its next certificate naming the same
 * gas coin version was cancelled).
 */
describe.each([
  ['without a restart', false],
  ['across a restart', true],
] as const)('durable validator pipeline: sequencing after a reconfiguration (%s)', (_, restart) => {
  const { committee: next, signers: nextSigners } = generateCommittee(1, [1, 1, 1, 1], 5);
  const workload = () => generateWorkload({ seed: 5, transactions: 30, accounts: 3, contention: 0.5, sign: false });

  async function reopen(pipeline: ValidatorPipeline, path: string, genesis: Parameters<typeof startValidatorPipeline>[0]['genesis']): Promise<ValidatorPipeline> {
    if (!restart) return pipeline;
    await pipeline.stop();
    return startValidatorPipeline({ committee: next, genesis, database: path, verifySignatures: false, logger: silentLogger });
  }

  /** Commit `certificate` at `index` in the new epoch, and resolve with its effects once it executed. */
  async function runInNewEpoch(pipeline: ValidatorPipeline, index: number, certificate: ReturnType<typeof certifyTransaction>): Promise<StateEffects> {
    let effects: StateEffects | undefined;
    pipeline.state.committed$.subscribe(({ certificate: c, output }) => {
      if (c.digest === certificate.digest) effects = output.effects;
    });
    await pipeline.commit({ digest: `c${index}`, index, certificates: [certificate] });
    await until(() => effects !== undefined, () => `not executed; ${JSON.stringify(pipeline.manager.counts)}`);
    return effects as StateEffects;
  }

  it('the first commit of the new epoch assigns shared versions from the store, not from a handed-back certificate', async () => {
    const w = workload();
    const increment = (w.steps.find((s) => s.shared) as (typeof w.steps)[number]).certificate;
    const { committee: c0, signers: s0 } = generateCommittee(0, [1, 1, 1, 1], 5);
    // Its gas coin version does not exist yet: it waits, holding the counter's next version, until reconfigure hands it back.
    const waiting = certifyTransaction({ ...increment.data, gas: { ...increment.data.gas, payment: { ...increment.data.gas.payment, version: increment.data.gas.payment.version + 5 } } }, c0, s0);
    const path = join(mkdtempSync(join(tmpdir(), 'epoch-restart-')), 'db.mdb');
    let pipeline = await startValidatorPipeline({ committee: w.committee, genesis: w.genesis, database: path, verifySignatures: false, logger: silentLogger });
    expect(await pipeline.commit({ digest: 'c0', index: 0, certificates: [waiting] })).toEqual(['pending']);
    expect(await pipeline.reconfigure(next)).toEqual([waiting]);
    pipeline = await reopen(pipeline, path, w.genesis);
    expect(pipeline.database?.epochTables.nextSharedVersions().size).toBe(0);
    const effects = await runInNewEpoch(pipeline, 1, certifyTransaction(increment.data, next, nextSigners));
    expect(isCancelled(effects)).toBe(false);
    await pipeline.stop();
  });

  it('a commit sequenced while the new epoch is recorded leaves no claim in it: the next certificate on that gas coin version runs', async () => {
    const w = workload();
    const increment = (w.steps.find((s) => s.shared) as (typeof w.steps)[number]).certificate;
    // The same gas coin version, another digest.
    const sameCoin = certifyTransaction({ ...increment.data, gas: { ...increment.data.gas, budget: increment.data.gas.budget + 1n } }, next, nextSigners);
    const path = join(mkdtempSync(join(tmpdir(), 'epoch-restart-')), 'db.mdb');
    let pipeline = await startValidatorPipeline({ committee: w.committee, genesis: w.genesis, database: path, verifySignatures: false, logger: silentLogger });
    // Same turn: the commit's writes come after the epoch's record was issued.
    const committed = pipeline.commit({ digest: 'c0', index: 0, certificates: [increment] });
    const stale = await pipeline.reconfigure(next);
    await committed.catch(() => undefined);
    expect(stale.length).toBeLessThanOrEqual(1);
    await pause(20);
    expect(pipeline.database?.epochTables.ownedClaims()).toEqual([]);
    expect(pipeline.database?.epochTables.nextSharedVersions().size).toBe(0);
    expect(pipeline.database?.epochTables.pendingCertificates().filter((r) => r.certificate.epoch === 0 && stale.every((c) => c.digest !== r.certificate.digest))).toEqual([]);
    pipeline = await reopen(pipeline, path, w.genesis);
    if (restart) expect(pipeline.recovered?.handedBack).toEqual([]); // handed back once, by reconfigure, not again
    expect(pipeline.state.loadEpochStoreOneCallPerTask().claimCount).toBe(0);
    const effects = await runInNewEpoch(pipeline, 1, sameCoin);
    expect(isCancelled(effects)).toBe(false);
    expect(pipeline.manager.cancelledAtSequencing).toBe(0);
    await pipeline.stop();
  });
});

describe('durable validator pipeline: a restart after a reconfiguration whose hand-back never left the disk', () => {
  it('hands the old epoch’s sequenced certificate back, and takes none of its assignments into the new epoch', async () => {
    const w = generateWorkload({ seed: 5, transactions: 30, accounts: 3, contention: 0.5, sign: false });
    const increment = (w.steps.find((s) => s.shared) as (typeof w.steps)[number]).certificate;
    const { committee: c0, signers: s0 } = generateCommittee(0, [1, 1, 1, 1], 5);
    const waiting = certifyTransaction({ ...increment.data, gas: { ...increment.data.gas, payment: { ...increment.data.gas.payment, version: increment.data.gas.payment.version + 5 } } }, c0, s0);
    const path = join(mkdtempSync(join(tmpdir(), 'epoch-restart-')), 'db.mdb');
    const first = await startValidatorPipeline({ committee: w.committee, genesis: w.genesis, database: path, verifySignatures: false, logger: silentLogger });
    expect(await first.commit({ digest: 'c0', index: 0, certificates: [waiting] })).toEqual(['pending']);
    const tables = first.database?.epochTables;
    if (tables) tables.forget = () => Promise.resolve(); // the crash comes before the hand-back's removal lands
    const { committee: next } = generateCommittee(1, [1, 1, 1, 1], 5);
    expect(await first.reconfigure(next)).toEqual([waiting]);
    await first.stop();
    const second = await startValidatorPipeline({ committee: next, genesis: w.genesis, database: path, verifySignatures: false, logger: silentLogger });
    expect(second.recovered?.handedBack).toEqual([waiting]);
    const epochStore = second.state.loadEpochStoreOneCallPerTask();
    expect(epochStore.sharedVersionsOf(waiting.digest)).toBeUndefined();
    expect(epochStore.isDecidedCancelled(waiting.digest)).toBe(false);
    expect(epochStore.claimCount).toBe(0);
    await second.stop();
  });
});
