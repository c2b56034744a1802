import type { HandedBackCertificate } from '../../../lib/validator/manager/transaction-manager';
import { TransactionManager } from '../../../lib/validator/manager/transaction-manager';
import { TransactionManagerMetrics } from '../../../lib/validator/manager/transaction-manager-metrics';
import { OverloadedError } from '../../../lib/validator/errors';
import { type StoredObject, refOf } from '../../../lib/validator/model/objects';
import { genesisObject } from '../../../lib/validator/execution/genesis';
import { ALICE, id, setup } from '../fixtures';

/**
 * Past the pending-and-executing limit, only certificates that may execute
 * at once get in, within a budget of their own. Before, any certificate
 * spending a version below one someone waited for got in and waited, with no
 * bound (a review's repro: 20,000 held past limits of 10).
 */
describe('TransactionManager: admission past the limits', () => {
  async function full(maxPastLimit: number) {
    const fixture = await setup();
    const { state, coin, gas, certify, transfer } = fixture;
    const metrics = new TransactionManagerMetrics();
    const manager = new TransactionManager(state, { limits: { maxPendingAndExecuting: 1, maxPastLimit }, metrics });
    const handedBack: HandedBackCertificate[] = [];
    manager.handedBack$.subscribe((h) => handedBack.push(h));
    const released: string[] = [];
    manager.ready$.subscribe(({ certificate }) => released.push(certificate.digest));
    const spending = (version: number, gasVersion = gas.version) => certify(transfer({ ...refOf(coin), version }, { ...refOf(gas), version: gasVersion }));
    // The ordinary budget is full: one certificate waits for coin version 60.
    expect(await manager.enqueue([spending(60)])).toEqual(['pending']);
    return { ...fixture, manager, metrics, handedBack, released, spending };
  }

  it('refuses what is known to wait, however many versions below the waited one it spends (the review repro, at 200)', async () => {
    const { manager, spending } = await full(10);
    for (let version = 2; version < 60; version++) {
      await expect(manager.enqueue([spending(version)])).rejects.toMatchObject({ limit: 'pending-and-executing' });
    }
    expect(manager.counts.pending).toBe(1);
    expect(manager.load).toMatchObject({ ordinary: 1, pastLimit: 0 });
  });

  it('admits one whose inputs exist, past the limit, and releases it at once', async () => {
    const { manager, coin, spending, released } = await full(10);
    const ready = spending(coin.version);
    expect(await manager.enqueue([ready])).toEqual(['ready']);
    expect(released).toEqual([ready.digest]);
    expect(manager.load).toMatchObject({ ordinary: 1, pastLimit: 1 });
  });

  it('hands back, typed, counted and naming the input, one admitted past the limit that turns out to wait; the rest of its call stands', async () => {
    const { manager, store, coin, certify, transfer, spending, handedBack, metrics } = await full(10);
    // A gas coin nothing waits on is not tracked: that its version 7 does not exist is known only once the store is read.
    const gas = genesisObject(id(0x77), { kind: 'address', address: ALICE }, { type: 'coin', balance: 1_000_000n });
    await store.commit({ transactionDigest: id(0x7777), effects: {} as never, events: [], written: [gas], deleted: [] });
    const waits = certify(transfer(refOf(coin), { ...refOf(gas), version: 7 }));
    const ready = spending(coin.version);
    expect(await manager.enqueue([waits, ready])).toEqual(['handed-back', 'ready']);
    expect(handedBack).toHaveLength(1);
    const [{ certificate, error }] = handedBack as [HandedBackCertificate];
    expect(certificate.digest).toBe(waits.digest);
    expect(error).toBeInstanceOf(OverloadedError);
    expect(error).toMatchObject({ limit: 'past-limit-not-ready', objectId: gas.id });
    expect(error.message).toContain(waits.digest);
    expect(manager.counts.pending).toBe(1); // only the ordinary one waits
    expect(manager.load).toMatchObject({ ordinary: 1, pastLimit: 1 });
    expect((await metrics.registry.getSingleMetric('transaction_manager_handed_back_total')?.get())?.values).toContainEqual(
      expect.objectContaining({ labels: { reason: 'past-limit-not-ready' }, value: 1 }),
    );
    // Handed back means not held: the same certificate is accepted anew later, not a duplicate.
    expect(await manager.enqueue([waits])).toEqual(['handed-back']);
  });

  it('holds at most maxPastLimit at once, and refuses a call that would pass it whole', async () => {
    const { manager, state, store, certify, transfer } = await full(2);
    // Two more coins of Alice's, each ready to spend: two fit, the third is refused with its call.
    const coins = [0, 1, 2].map((n) => genesisObject(id(0x40 + n), { kind: 'address', address: ALICE }, { type: 'coin', balance: 5n }));
    const gasCoins = [0, 1, 2].map((n) => genesisObject(id(0x50 + n), { kind: 'address', address: ALICE }, { type: 'coin', balance: 1_000_000n }));
    await store.commit({ transactionDigest: id(0xfeed), effects: {} as never, events: [], written: [...coins, ...gasCoins], deleted: [] });
    const spend = (n: number) => certify(transfer(refOf(coins[n] as StoredObject), refOf(gasCoins[n] as StoredObject)));
    expect(await manager.enqueue([spend(0), spend(1)])).toEqual(['ready', 'ready']);
    await expect(manager.enqueue([spend(2)])).rejects.toMatchObject({ limit: 'past-limit' });
    expect(manager.load.pastLimit).toBe(2);
    // Once one executes and commits, its place is free.
    await state.tryExecuteImmediately(spend(0), undefined, undefined, state.loadEpochStoreOneCallPerTask());
    expect(manager.load.pastLimit).toBe(1);
    expect(await manager.enqueue([spend(2)])).toEqual(['ready']);
  });
});
