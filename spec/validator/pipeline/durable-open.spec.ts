import { open } from 'lmdb';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { GENESIS_TRANSACTION, genesisObject } from '../../../lib/validator/execution/genesis';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import type { ValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import type { Committee } from '../../../lib/validator/certificates/committee';
import type { StoredObject } from '../../../lib/validator/model/objects';
import { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { generateWorkload } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { temporaryDatabase } from '../storage/temporary-database';

// How a restart recognises its database: its chain (whatever the retention pruned) and its committee.
const workload = generateWorkload({ seed: 3, transactions: 12, accounts: 8, contention: 0 });
const otherWorkload = generateWorkload({ seed: 99, transactions: 1, accounts: 3 });
/** Another chain: objects with ids the first never had. */
const otherGenesis = otherWorkload.genesis.map((o, i) => genesisObject(`0xee${i.toString(16).padStart(62, '0')}`, o.owner, o.contents));

function start(database: string | LmdbObjectStore, committee: Committee = workload.committee, genesis: readonly StoredObject[] = workload.genesis): Promise<ValidatorPipeline> {
  return startValidatorPipeline({ committee, genesis, database, logger: silentLogger, verifySignatures: false });
}

async function runAll(pipeline: ValidatorPipeline): Promise<void> {
  let executed = 0;
  const subscription = pipeline.outcomes$.subscribe((o) => {
    if (o.kind === 'executed') executed++;
  });
  for (const [i, step] of workload.steps.entries()) {
    if (step.shared) await pipeline.commit({ digest: `c${i}`, index: i, certificates: [step.certificate] });
    else await pipeline.submit([step.certificate]);
  }
  while (executed < workload.steps.length) await new Promise((resolve) => setTimeout(resolve, 10));
  subscription.unsubscribe();
}

/** The error a start was refused with (a start that succeeds fails the test). */
async function refusal(starting: Promise<ValidatorPipeline>): Promise<Error & { problem?: string }> {
  const outcome = await starting.then(
    async (pipeline) => {
      await pipeline.stop();
      return new Error('started');
    },
    (error: unknown) => error as Error,
  );
  expect(outcome.name).toBe('StoreOpenError');
  return outcome;
}

/** The raw root of a closed database, to make it look as an older version left it. */
async function editRoot(path: string, edit: (root: ReturnType<typeof open<Buffer, string>>) => void): Promise<void> {
  const root = open<Buffer, string>({ path, maxDbs: 16, encoding: 'binary' });
  edit(root);
  await root.close();
}

describe('a durable database keeps its chain', () => {
  it('recognises its chain after the retention pruned the genesis record, and refuses another chain whatever the retention', async () => {
    const path = await temporaryDatabase();
    const store = LmdbObjectStore.open({ path, executedTransactions: 3 });
    const first = await start(store);
    await runAll(first);
    await first.stop();
    // The situation of the bug: the genesis executed record is gone.
    expect(await store.readExecuted(GENESIS_TRANSACTION)).toBeUndefined();
    const live = store.liveObjects();
    await store.close();

    const again = LmdbObjectStore.open({ path, executedTransactions: 3 });
    const second = await start(again);
    expect(second.recovered).toMatchObject({ reenqueued: 0, epoch: 0 });
    await second.stop();
    await again.close();

    for (const retention of [{ executedTransactions: 3 }, {}]) {
      const other = LmdbObjectStore.open({ path, ...retention });
      await expect(start(other, otherWorkload.committee, otherGenesis)).rejects.toMatchObject({ name: 'StoreOpenError', problem: 'other-chain', path });
      // Nothing of the other chain was written: its genesis objects are not there, the committee is this chain's.
      expect(other.liveObjects()).toEqual(live);
      expect(Buffer.from(other.epochTables.committee()?.validators[0]?.publicKey ?? []).equals(Buffer.from(workload.committee.validators[0]?.publicKey ?? []))).toBe(true);
      await other.close();
    }
  }, 30_000);

  it('gives a database written before the chain record one from its genesis record, and refuses one that lost both', async () => {
    const path = await temporaryDatabase();
    await (await start(path)).stop();
    await editRoot(path, (root) => root.removeSync('chain'));
    const upgraded = await start(path);
    expect((upgraded.database as LmdbObjectStore).chain()?.genesisEpoch).toBe(0);
    await upgraded.stop();

    // An older version's retention pruned the genesis record, and there was no chain record: no way to tell the chain.
    await editRoot(path, (root) => {
      root.removeSync('chain');
      root.openDB<Buffer, Buffer>('executed', { encoding: 'binary', keyEncoding: 'binary' }).removeSync(Buffer.from(GENESIS_TRANSACTION.slice(2), 'hex'));
    });
    const lostBoth = await refusal(start(path));
    expect(lostBoth.problem).toBe('other-chain');
    expect(lostBoth.message).toContain('cannot be checked');
    const store = LmdbObjectStore.open({ path });
    expect(store.chain()).toBeUndefined(); // nothing written
    await store.close();
  }, 30_000);
});

describe('a durable database keeps its committee', () => {
  it('refuses another committee of the recorded epoch, overwriting nothing, and resumes with its own', async () => {
    const path = await temporaryDatabase();
    const first = await start(path);
    first.driver.pause(); // accepted, not started: pending on disk at the stop
    const step = workload.steps.find((s) => !s.shared);
    if (!step) throw new Error('no owned step');
    expect(await first.submit([step.certificate])).toEqual(['ready']);
    await first.stop();

    const foreign = generateCommittee(0, [1, 1, 1, 1], 777).committee;
    const swapped = await refusal(start(path, foreign));
    expect(swapped.problem).toBe('other-committee');
    expect(swapped.message).toContain('committee of epoch 0');
    const store = LmdbObjectStore.open({ path });
    expect(Buffer.from(store.epochTables.committee()?.validators[0]?.publicKey ?? []).equals(Buffer.from(workload.committee.validators[0]?.publicKey ?? []))).toBe(true);
    expect(store.epochTables.pendingCount()).toBe(1);
    await store.close();

    const resumed = await start(path);
    expect(resumed.recovered?.reenqueued).toBe(1);
    await resumed.stop();
  }, 30_000);

  it('resumes after a reconfiguration with the current committee or an earlier one, and refuses an epoch it never reached', async () => {
    const path = await temporaryDatabase();
    const next = generateCommittee(1, [1, 1, 1, 1], 14).committee;
    const first = await start(path);
    await first.reconfigure(next);
    await first.stop();

    const withCurrent = await start(path, next);
    expect(withCurrent.recovered?.epoch).toBe(1);
    await withCurrent.stop();
    const withEarlier = await start(path);
    expect(withEarlier.recovered?.epoch).toBe(1);
    await withEarlier.stop();

    const later = generateCommittee(2, [1, 1, 1, 1], 15).committee;
    const unknown = await refusal(start(path, later));
    expect(unknown.problem).toBe('unknown-epoch');
    expect(unknown.message).toContain('it is in epoch 1');
    const swapped = generateCommittee(1, [1, 1, 1, 1], 16).committee;
    await expect(start(path, swapped)).rejects.toMatchObject({ name: 'StoreOpenError', problem: 'other-committee' });
    const store = LmdbObjectStore.open({ path });
    expect(store.epochTables.committee()?.epoch).toBe(1);
    await store.close();
  }, 30_000);
});
