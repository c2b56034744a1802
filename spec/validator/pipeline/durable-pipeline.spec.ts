import { filter, firstValueFrom } from 'rxjs';
import { certifyTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { InvalidCommitteeError } from '../../../lib/validator/errors';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import type { ValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { generateWorkload } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { temporaryDatabase } from '../storage/temporary-database';

const workload = generateWorkload({ seed: 14, transactions: 120, accounts: 8, contention: 0.3, invalidShare: 0.1 });
// Certificates wait behind a withheld one by design here, while each submit pays a BLS pairing and an fsync:
// on a loaded machine the oldest outlives the default 1 s queue-age limit, which is admission control, not what this tests.
const patient = { maxQueueAgeMs: 60_000, maxAwaitingCreationAgeMs: 60_000 };
const start = (database: string) => startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis, database, logger: silentLogger, limits: patient });

/** Deliver steps[from, to): owned ones submitted, shared ones each in its own commit (index = step number). */
async function deliver(pipeline: ValidatorPipeline, from: number, to: number, skip?: number): Promise<void> {
  for (let i = from; i < to; i++) {
    const step = workload.steps[i];
    if (!step || i === skip) continue;
    if (step.shared) await pipeline.commit({ digest: `commit-${i}`, index: i, certificates: [step.certificate] });
    else await pipeline.submit([step.certificate]);
  }
}

async function executedAll(pipeline: ValidatorPipeline): Promise<void> {
  const store = pipeline.database as LmdbObjectStore;
  for (;;) {
    const done = await Promise.all(workload.steps.map(async (s) => (await store.readExecuted(s.certificate.digest)) !== undefined));
    if (done.every(Boolean)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** `promise`, or a rejection after `ms` (a lost certificate fails the test at once, not at the suite's timeout). */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('startValidatorPipeline with a database', () => {
  it('restarts after a stop: recovers what was accepted, recognises a redelivered commit, and ends in the predicted state', async () => {
    // (a generous limit: the file runs beside the whole suite on two shared cores; a lost certificate still hangs it)
    const path = await temporaryDatabase();
    const first = await start(path);
    expect(first.recovered).toEqual({ reenqueued: 0, alreadyExecuted: 0, lastCommitIndex: undefined, epoch: 0, handedBack: [] });
    // The first owned transaction is held back: what spends its outputs waits, accepted and pending, at the stop.
    const withheld = workload.steps.findIndex((s) => !s.shared);
    await deliver(first, 0, 80, withheld);
    const summary = await first.stop({ mode: 'abort' });
    const heldAtStop = summary.heldByManager.length + summary.unstarted.length;
    expect(heldAtStop).toBeGreaterThan(0);

    const second = await start(path);
    const recovered = second.recovered;
    expect(recovered?.reenqueued).toBeGreaterThanOrEqual(heldAtStop);
    const lastShared = workload.steps.slice(0, 80).findLastIndex((s) => s.shared);
    expect(recovered?.lastCommitIndex).toBe(lastShared);
    // Consensus delivers the last commit again: recognised, nothing sequenced twice.
    const again = workload.steps[lastShared];
    if (again) {
      const results = await second.commit({ digest: `commit-${lastShared}`, index: lastShared, certificates: [again.certificate] });
      expect(['already-executed', 'already-pending']).toContain(results[0]);
      await expect(second.commit({ digest: 'another', index: lastShared, certificates: [again.certificate] })).rejects.toThrow(/conflicting-redelivery/);
    }
    await deliver(second, withheld, withheld + 1);
    await deliver(second, 80, workload.steps.length);
    await executedAll(second);
    const store = second.database as LmdbObjectStore;
    await store.whenDurable(); // executed is readable once staged; the pending table empties on disk
    expect(store.liveObjects().map((o) => [o.id, o.version, o.digest])).toEqual(workload.expectedFinalObjects.map((o) => [o.id, o.version, o.digest]));
    expect(store.epochTables.pendingCount()).toBe(0);
    await second.stop();
  }, 30_000);

  it('executes a recovered certificate whose inputs are all there at once (it is released after the driver listens)', async () => {
    // A crash after a certificate was accepted and before it executed: on disk, pending, its inputs in genesis.
    const path = await temporaryDatabase();
    const step = workload.steps.find((s) => !s.shared) as (typeof workload.steps)[number];
    await (await start(path)).stop(); // a database of this chain (one holding records and no genesis is refused)
    const before = LmdbObjectStore.open({ path });
    await before.epochTables.recordAccepted([{ certificate: step.certificate, commit: undefined, shared: new Map() }]);
    await before.close();
    const pipeline = await start(path);
    const executed = firstValueFrom(pipeline.outcomes$.pipe(filter((o) => o.digest === step.certificate.digest)));
    expect(pipeline.recovered?.reenqueued).toBe(1);
    await expect(within(executed, 3_000)).resolves.toMatchObject({ kind: 'executed' });
    expect(await pipeline.database?.readExecuted(step.certificate.digest)).toBeDefined();
    expect(pipeline.database?.epochTables.pendingCount()).toBe(0);
    await pipeline.stop();
  });

  it('refuses the database of another chain, naming it, and leaves it as it was', async () => {
    const path = await temporaryDatabase();
    await (await start(path)).stop();
    const other = generateWorkload({ seed: 15, transactions: 1, accounts: 3 });
    await expect(startValidatorPipeline({ committee: other.committee, genesis: other.genesis, database: path, logger: silentLogger })).rejects.toMatchObject({
      name: 'StoreOpenError',
      problem: 'other-chain',
      path,
    });
    const reopened = await start(path);
    expect(reopened.recovered?.epoch).toBe(0);
    await reopened.stop();
  });

  it('resumes with the recorded committee of a later epoch, its BLS keys proven again, and refuses one whose proof does not verify', async () => {
    const path = await temporaryDatabase();
    const next = generateCommittee(1, [1, 1, 1, 1], 14);
    const first = await start(path);
    await first.reconfigure(next.committee);
    await first.stop();
    const resumed = await start(path);
    expect(resumed.recovered?.epoch).toBe(1);
    const payment = workload.steps.find((s) => !s.shared)?.certificate;
    if (!payment) throw new Error('no owned step');
    const inEpoch1 = certifyTransaction(payment.data, next.committee, next.signers.slice(0, 3));
    await expect(resumed.submit([inEpoch1])).resolves.toEqual(['ready']);
    await resumed.stop();
    // A database whose committee names a key with another member's proof: a rogue key is not taken from disk either.
    const store = LmdbObjectStore.open({ path });
    const [a, b, ...rest] = next.committee.validators;
    if (!a || !b) throw new Error('unreachable');
    await store.epochTables.recordEpoch({ epoch: 2, validators: [a, { ...b, proofOfPossession: a.proofOfPossession }, ...rest] });
    await store.close();
    await expect(start(path)).rejects.toThrow(InvalidCommitteeError);
  }, 30_000); // three starts with key checks: generous, as above, for a loaded machine
});

