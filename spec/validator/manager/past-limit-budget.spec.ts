import type { HandedBackCertificate } from '../../../lib/validator/manager/transaction-manager';
import { TransactionManager } from '../../../lib/validator/manager/transaction-manager';
import { TransactionManagerMetrics } from '../../../lib/validator/manager/transaction-manager-metrics';
import { OverloadedError } from '../../../lib/validator/errors';
import { genesisObject } from '../../../lib/validator/execution/genesis';
import { certifyTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { type StoredObject, refOf } from '../../../lib/validator/model/objects';
import { silentLogger } from '../../support/silent-logger';
import { ALICE, id, setup } from '../fixtures';
import { until } from '../resubmitting-client';

/**
 * Past the pending-and-executing limit, a certificate that may execute at
 * once or writes what a waiting one needs gets in, within a budget of its own
 * with an age limit. Before, there was no bound (a review's repro: 20,000
 * certificates spending old versions of one waited-on coin all held, past
 * limits of 10).
 */
describe('TransactionManager: admission past the limits', () => {
  async function full(limits: { maxPastLimit: number; maxPastLimitAgeMs?: number }) {
    const fixture = await setup();
    const { state, coin, gas, certify, transfer } = fixture;
    const clock = { now: 0 };
    const metrics = new TransactionManagerMetrics();
    const manager = new TransactionManager(state, { limits: { maxPendingAndExecuting: 1, ...limits }, now: () => clock.now, metrics });
    const handedBack: HandedBackCertificate[] = [];
    manager.handedBack$.subscribe((h) => handedBack.push(h));
    const released: string[] = [];
    manager.ready$.subscribe(({ certificate }) => released.push(certificate.digest));
    const spending = (version: number) => certify(transfer({ ...refOf(coin), version }, refOf(gas)));
    // The ordinary budget is full: one certificate waits for coin version 60.
    expect(await manager.enqueue([spending(60)])).toEqual(['pending']);
    return { ...fixture, manager, clock, metrics, handedBack, released, spending };
  }

  it('holds at most maxPastLimit, and refuses a call that would pass it whole (the review repro, at 58 versions)', async () => {
    const { manager, spending } = await full({ maxPastLimit: 10 });
    // Each spends a version below the waited one, so each could be on its path: admitted past the limit, up to 10.
    for (let version = 2; version < 12; version++) expect(await manager.enqueue([spending(version)])).toEqual(['pending']);
    expect(manager.load).toMatchObject({ ordinary: 1, pastLimit: 10 });
    for (let version = 12; version < 60; version++) {
      const error = await manager.enqueue([spending(version)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OverloadedError);
      expect(error).toMatchObject({ limit: 'past-limit' });
    }
    expect(manager.counts.pending).toBe(11);
  });

  it('refuses a call with one certificate past the budget whole: the other is not kept either', async () => {
    const { manager, spending } = await full({ maxPastLimit: 1 });
    await expect(manager.enqueue([spending(40), spending(41)])).rejects.toMatchObject({ limit: 'past-limit' });
    expect(manager.counts.pending).toBe(1);
  });

  it('hands back those still waiting after maxPastLimitAgeMs, typed, counted and naming the object, and frees their places', async () => {
    const { manager, spending, clock, metrics, handedBack } = await full({ maxPastLimit: 3, maxPastLimitAgeMs: 1_000 });
    const waiting = [spending(5), spending(6), spending(7)];
    for (const certificate of waiting) await manager.enqueue([certificate]);
    clock.now = 600;
    await expect(manager.enqueue([spending(8)])).rejects.toMatchObject({ limit: 'past-limit' });
    expect(handedBack).toEqual([]);
    clock.now = 1_001; // the three have waited 1,001 ms
    expect(manager.expireAged()).toBe(3);
    expect(handedBack.map((h) => h.certificate.digest)).toEqual(waiting.map((c) => c.digest));
    for (const { certificate, error } of handedBack) {
      expect(error).toBeInstanceOf(OverloadedError);
      expect(error).toMatchObject({ limit: 'past-limit-age', objectId: certificate.data.inputs[0]?.kind === 'owned' ? certificate.data.inputs[0].ref.id : '' });
      expect(error.message).toMatch(/waited 1001 ms for its own inputs, limit 1000 ms/);
      expect(error.message).toContain(certificate.digest);
    }
    expect(manager.load).toMatchObject({ ordinary: 1, pastLimit: 0 });
    expect(manager.counts.pending).toBe(1);
    expect((await metrics.registry.getSingleMetric('transaction_manager_handed_back_total')?.get())?.values).toContainEqual(
      expect.objectContaining({ labels: { reason: 'past-limit-age' }, value: 3 }),
    );
    // Their places are free: the next one past the limits is admitted, and a handed-back one is new again.
    expect(await manager.enqueue([spending(8)])).toEqual(['pending']);
    expect(await manager.enqueue([waiting[0] as (typeof waiting)[number]])).toEqual(['pending']);
  });

  it('admits one whose inputs exist past the limit, though nobody waits for what it writes, and releases it at once', async () => {
    const { manager, store, certify, transfer, released } = await full({ maxPastLimit: 10 });
    const other = genesisObject(id(0x40), { kind: 'address', address: ALICE }, { type: 'coin', balance: 5n });
    const otherGas = genesisObject(id(0x41), { kind: 'address', address: ALICE }, { type: 'coin', balance: 1_000_000n });
    await store.commit({ transactionDigest: id(0x4040), effects: {} as never, events: [], written: [other, otherGas], deleted: [] });
    const ready = certify(transfer(refOf(other), refOf(otherGas)));
    expect(await manager.enqueue([ready])).toEqual(['ready']);
    expect(released).toEqual([ready.digest]);
    expect(manager.load).toMatchObject({ ordinary: 1, pastLimit: 1 });
  });

  it('does not count a certificate spending a version already spent as unblocking: it leads to nothing anyone waits for', async () => {
    const { state, store, coin, gas, certify, transfer } = await setup();
    const manager = new TransactionManager(state, { limits: { maxPendingAndExecuting: 1 } });
    const first = certify(transfer(refOf(coin), refOf(gas)));
    expect(await manager.enqueue([first])).toEqual(['ready']);
    await state.tryExecuteImmediately(first, undefined, undefined, state.loadEpochStoreOneCallPerTask());
    const [coinNow, gasNow] = (await store.readLatest([coin.id, gas.id])) as [StoredObject, StoredObject];
    // Someone waits for a version of the coin far ahead; the ordinary budget is full.
    expect(await manager.enqueue([certify(transfer({ ...refOf(coinNow), version: coinNow.version + 50 }, refOf(gasNow)))])).toEqual(['pending']);
    // The genesis version is below the waited one, but spent: refused like any other that waits (gas far ahead).
    await expect(manager.enqueue([certify(transfer(refOf(coin), { ...refOf(gasNow), version: gasNow.version + 9 }))])).rejects.toMatchObject({
      limit: 'pending-and-executing',
    });
    // The version that exists can be on the path: admitted past the limit.
    expect(await manager.enqueue([certify(transfer(refOf(coinNow), refOf(gasNow)))])).toEqual(['ready']);
    expect(manager.load.pastLimit).toBe(1);
  });

  it('the pipeline hands back on its timer, with nothing else arriving, and the certificate can be submitted again', async () => {
    const gas = genesisObject(id(1), { kind: 'address', address: ALICE }, { type: 'coin', balance: 1_000_000n });
    const coin = genesisObject(id(2), { kind: 'address', address: ALICE }, { type: 'coin', balance: 100n });
    const { committee } = generateCommittee(0, [1, 1, 1, 1]);
    const pipeline = await startValidatorPipeline({
      committee,
      genesis: [gas, coin],
      logger: silentLogger,
      verifySignatures: false,
      limits: { maxPendingAndExecuting: 1, maxPastLimit: 5, maxPastLimitAgeMs: 20 },
    });
    const spending = (version: number) =>
      certifyTransaction({ sender: ALICE, inputs: [{ kind: 'owned', ref: { ...refOf(coin), version } }], gas: { payment: refOf(gas), budget: 10_000n, price: 1n }, commands: [] }, committee, []);
    const handedBack: HandedBackCertificate[] = [];
    pipeline.handedBack$.subscribe((h) => handedBack.push(h));
    expect(await pipeline.submit([spending(9)])).toEqual(['pending']);
    const pastLimit = spending(5);
    expect(await pipeline.submit([pastLimit])).toEqual(['pending']);
    await until(() => handedBack.length > 0, () => `nothing handed back; ${JSON.stringify(pipeline.manager.load)}`, 5_000);
    expect(handedBack.map((h) => [h.certificate.digest, h.error.limit])).toEqual([[pastLimit.digest, 'past-limit-age']]);
    expect(await pipeline.submit([pastLimit])).toEqual(['pending']);
    const summary = await pipeline.stop();
    expect(summary.heldByManager.map((h) => h.certificate.digest).sort()).toEqual([spending(9).digest, pastLimit.digest].sort());
  });
});
