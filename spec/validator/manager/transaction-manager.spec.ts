import { Subject, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { PendingCertificate } from '../../../lib';
import type { CertifiedTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { OverloadedError } from '../../../lib/validator/errors';
import { genesisObject } from '../../../lib/validator/execution/genesis';
import { refOf } from '../../../lib/validator/model/objects';
import type { CommittedOutputs } from '../../../lib/validator/execution/reference-authority-state';
import { TransactionManager, type TransactionManagerState } from '../../../lib/validator/manager/transaction-manager';
import { ALICE, BOB, id, predictOutputs, setup } from '../fixtures';

/** Everything the manager releases, in order. */
function collect(manager: TransactionManager): PendingCertificate[] {
  const released: PendingCertificate[] = [];
  manager.ready$.subscribe((p) => released.push(p));
  return released;
}

async function execute(fixture: Awaited<ReturnType<typeof setup>>, pending: PendingCertificate) {
  return fixture.state.tryExecuteImmediately(pending.certificate, pending.commit?.digest, pending.commit?.index, fixture.state.loadEpochStoreOneCallPerTask());
}

describe('TransactionManager', () => {
  it('releases a certificate whose inputs exist at once, and one that spends its outputs when they are committed', async () => {
    const fixture = await setup();
    const { state, coin, gas, certify, transfer } = fixture;
    const manager = new TransactionManager(state);
    const ready = collect(manager);
    const first = certify({ ...transfer(refOf(coin), refOf(gas), ALICE) }); // Alice to herself: coin and gas move to version 2
    const out = predictOutputs(first, [coin], gas);
    const second = certify(transfer(out(coin.id), out(gas.id)));
    expect(await manager.enqueue([second, first])).toEqual(['pending', 'ready']);
    expect(ready.map((p) => p.certificate.digest)).toEqual([first.digest]);
    expect(manager.counts).toEqual({ pending: 1, executing: 1, missingObjects: 2 });
    await execute(fixture, ready[0] as PendingCertificate);
    expect(ready.map((p) => p.certificate.digest)).toEqual([first.digest, second.digest]);
    expect(manager.counts).toEqual({ pending: 0, executing: 1, missingObjects: 0 });
  });

  it('orders shared-object transactions by commit, assigning Lamport versions', async () => {
    const fixture = await setup();
    const { state, store, counter, gas, certify, increment } = fixture;
    const manager = new TransactionManager(state);
    const ready = collect(manager);
    // Two increments paid from different gas coins, so only the counter links them.
    const gas2 = genesisObject(id(9), { kind: 'address', address: ALICE }, { type: 'coin', balance: 1_000_000n });
    await store.commit({ transactionDigest: id(0xeee), effects: {} as never, events: [], written: [gas2], deleted: [] });
    const a = certify(increment(refOf(gas), 2n));
    const b = certify(increment(refOf(gas2), 3n));
    expect(await manager.commit({ digest: 'c1', index: 1, certificates: [a, b] })).toEqual(['ready', 'pending']);
    const epochStore = state.loadEpochStoreOneCallPerTask();
    expect(epochStore.sharedVersion(a.digest, counter.id)).toBe(1);
    expect(epochStore.sharedVersion(b.digest, counter.id)).toBe(2); // a's Lamport version: max(1, 1) + 1
    expect(ready.map((p) => [p.certificate.digest, p.commit?.index])).toEqual([[a.digest, 1]]);
    await execute(fixture, ready[0] as PendingCertificate);
    expect(ready.map((p) => p.certificate.digest)).toEqual([a.digest, b.digest]);
    await execute(fixture, ready[1] as PendingCertificate);
    expect((await store.readLatest([counter.id]))[0]?.contents).toEqual({ type: 'counter', value: 5n });
  });

  it('predicts the shared version a transaction writes from its owned inputs too, as execution does', async () => {
    const fixture = await setup();
    const { state, store, counter, gas, certify, increment } = fixture;
    const manager = new TransactionManager(state);
    const ready = collect(manager);
    // An owned coin at version 7, past the gas (1) and the counter (1): the increment's Lamport version is 8.
    const high = { ...genesisObject(id(10), { kind: 'address', address: ALICE }, { type: 'coin', balance: 5n }), version: 7 };
    await store.commit({ transactionDigest: id(0xeef), effects: {} as never, events: [], written: [high], deleted: [] });
    const gas2 = genesisObject(id(9), { kind: 'address', address: ALICE }, { type: 'coin', balance: 1_000_000n });
    await store.commit({ transactionDigest: id(0xeee), effects: {} as never, events: [], written: [gas2], deleted: [] });
    const withOwned = increment(refOf(gas), 2n);
    const a = certify({ ...withOwned, inputs: [...withOwned.inputs, { kind: 'owned', ref: refOf(high) }] });
    const b = certify(increment(refOf(gas2), 3n));
    expect(await manager.commit({ digest: 'c1', index: 1, certificates: [a, b] })).toEqual(['ready', 'pending']);
    expect(state.loadEpochStoreOneCallPerTask().sharedVersion(b.digest, counter.id)).toBe(8);
    await execute(fixture, ready[0] as PendingCertificate);
    expect((await store.readLatest([counter.id]))[0]?.version).toBe(8);
    // The version predicted is the version written: b is released, and runs.
    expect(ready.map((p) => p.certificate.digest)).toEqual([a.digest, b.digest]);
    await execute(fixture, ready[1] as PendingCertificate);
    expect((await store.readLatest([counter.id]))[0]?.contents).toEqual({ type: 'counter', value: 5n });
  });

  it('is no longer executing a released certificate the driver skipped (wrong epoch after a reconfiguration)', async () => {
    const { state, coin, gas, certify, transfer } = await setup();
    const manager = new TransactionManager(state);
    const ready = collect(manager);
    const tx = certify(transfer(refOf(coin), refOf(gas)));
    expect(await manager.enqueue([tx])).toEqual(['ready']);
    expect(manager.counts.executing).toBe(1);
    manager.notifyOutcome({ kind: 'skipped', reason: 'wrong-epoch', currentEpoch: 1, digest: tx.digest, pending: ready[0] as PendingCertificate, queueingDelayMs: 0 });
    expect(manager.counts).toEqual({ pending: 0, executing: 0, missingObjects: 0 });
  });

  it('gives read-only shared inputs the current version without advancing it', async () => {
    const { state, counter, gas, certify, increment } = await setup();
    const manager = new TransactionManager(state);
    const read = (n: number) =>
      certify({ ...increment(refOf(gas)), inputs: [{ kind: 'shared', id: counter.id, initialSharedVersion: 1, mutable: false }], commands: [], gas: { payment: { ...refOf(gas), version: 1 }, budget: BigInt(10_000 + n), price: 1n } });
    const [r1, r2] = [read(1), read(2)];
    const write = certify(increment(refOf(gas)));
    const after = certify(increment({ ...refOf(gas), version: 2 }));
    await manager.commit({ digest: 'c1', index: 1, certificates: [r1, r2, write, after] });
    const epochStore = state.loadEpochStoreOneCallPerTask();
    // The write reads version 1 and moves the counter to its Lamport version max(1, 1) + 1 = 2.
    expect([r1, r2, write, after].map((c) => epochStore.sharedVersion(c.digest, counter.id))).toEqual([1, 1, 1, 2]);
  });

  it('skips duplicates by reason and refuses another epoch', async () => {
    const fixture = await setup();
    const { state, coin, gas, certify, transfer } = fixture;
    const manager = new TransactionManager(state);
    const ready = collect(manager);
    const tx = certify(transfer(refOf(coin), refOf(gas)));
    const blocked = certify(transfer({ ...refOf(coin), version: 7 }, refOf(gas)));
    expect(await manager.enqueue([tx, tx, blocked, blocked])).toEqual(['ready', 'already-pending', 'pending', 'already-pending']);
    expect(await manager.enqueue([tx])).toEqual(['already-executing']);
    await execute(fixture, ready[0] as PendingCertificate);
    expect(await manager.enqueue([tx])).toEqual(['already-executed']);
    expect(await manager.enqueue([certify(transfer(refOf(coin), refOf(gas)), 3)])).toEqual(['wrong-epoch']);
    expect(manager.enqueued).toMatchObject({ ready: 1, pending: 1, 'already-pending': 2, 'already-executing': 1, 'already-executed': 1, 'wrong-epoch': 1 });
  });

  it('forgets an execution that failed, so the certificate can be enqueued again', async () => {
    const { state, coin, gas, certify, transfer } = await setup();
    const manager = new TransactionManager(state);
    const tx = certify(transfer(refOf(coin), refOf(gas)));
    await manager.enqueue([tx]);
    manager.notifyOutcome({ kind: 'failed', reason: 'aborted', digest: tx.digest, pending: { certificate: tx }, queueingDelayMs: 0, error: new Error('x'), attempts: 1 });
    expect(manager.counts.executing).toBe(0);
    expect(await manager.enqueue([tx])).toEqual(['ready']);
  });

  describe('admission control', () => {
    it('refuses a call past the pending-and-executing limit, keeping nothing of it', async () => {
      const { state, coin, gas, certify, transfer } = await setup();
      const manager = new TransactionManager(state, { limits: { maxPendingAndExecuting: 2 } });
      const waiting = (v: number) => certify(transfer({ ...refOf(coin), version: v }, refOf(gas)));
      await manager.enqueue([waiting(5)]);
      const refusal = manager.enqueue([waiting(6), waiting(7)]);
      await expect(refusal).rejects.toThrow(OverloadedError);
      await expect(refusal).rejects.toMatchObject({ limit: 'pending-and-executing' });
      expect(manager.counts.pending).toBe(1);
      expect(await manager.enqueue([waiting(6)])).toEqual(['pending']);
    });

    it('refuses past the per-object queue limit, naming the object', async () => {
      const { state, coin, gas, certify, transfer } = await setup();
      const manager = new TransactionManager(state, { limits: { maxPerObjectQueue: 2 } });
      const waiting = (v: number) => certify(transfer({ ...refOf(coin), version: v }, refOf(gas)));
      await manager.enqueue([waiting(5), waiting(6)]);
      await expect(manager.enqueue([waiting(7)])).rejects.toMatchObject({ limit: 'per-object-queue', objectId: coin.id });
      // One call alone can pass it too, on an object nothing waited on before.
      const fresh = new TransactionManager(state, { limits: { maxPerObjectQueue: 2 } });
      await expect(fresh.enqueue([waiting(5), waiting(6), waiting(7)])).rejects.toMatchObject({ limit: 'per-object-queue' });
      expect(fresh.counts.pending).toBe(0);
      expect(await fresh.enqueue([waiting(5), waiting(6)])).toEqual(['pending', 'pending']);
    });

    it('always admits the certificate a waiting one depends on: refusing it would stall the queue for good', async () => {
      const { state, coin, gas, certify, transfer } = await setup();
      let now = 0;
      const manager = new TransactionManager(state, { limits: { maxPendingAndExecuting: 1, maxQueueAgeMs: 1_000 }, now: () => now });
      const spending = (v: number) => certify(transfer({ ...refOf(coin), version: v }, refOf(gas)));
      expect(await manager.enqueue([spending(5)])).toEqual(['pending']); // waits for coin version 5
      now = 5_000; // it has waited far past the age limit, and the manager is full
      await expect(manager.enqueue([spending(9)])).rejects.toMatchObject({ limit: 'pending-and-executing' });
      // The certificate that writes coin version 5 (it spends version 4: Lamport max(4, 1) + 1) gets in,
      // and so does one further back on the same path (it spends version 2).
      expect(await manager.enqueue([spending(4)])).toEqual(['pending']);
      expect(await manager.enqueue([spending(2)])).toEqual(['pending']);
      expect(manager.counts.pending).toBe(3);
    });

    it('never refuses a consensus commit: it is already sequenced on every validator', async () => {
      const { state, gas, certify, increment } = await setup();
      const manager = new TransactionManager(state, { limits: { maxPendingAndExecuting: 1, maxPerObjectQueue: 1 } });
      const commit = [1, 2, 3].map((n) => certify(increment({ ...refOf(gas), version: n })));
      expect(await manager.commit({ digest: 'c1', index: 1, certificates: commit })).toEqual(['ready', 'pending', 'pending']);
      expect(manager.counts.pending + manager.counts.executing).toBe(3);
      // Submission is where overload control acts.
      await expect(manager.enqueue([certify({ ...increment({ ...refOf(gas), version: 9 }), inputs: [] })])).rejects.toThrow(OverloadedError);
    });

    it('refuses when the oldest certificate waiting on an object is too old', async () => {
      const { state, coin, gas, certify, transfer } = await setup();
      let now = 0;
      const manager = new TransactionManager(state, { limits: { maxQueueAgeMs: 1_000 }, now: () => now });
      await manager.enqueue([certify(transfer({ ...refOf(coin), version: 5 }, refOf(gas)))]);
      now = 1_500;
      expect(manager.queueAge(coin.id)).toBe(1_500);
      const error = await manager.enqueue([certify(transfer({ ...refOf(coin), version: 6 }, refOf(gas)))]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OverloadedError);
      expect((error as OverloadedError).message).toMatch(/queue-age on object .*oldest waiting 1500 ms, limit 1000 ms/);
    });
  });

  describe('admission limits at their boundaries: exactly at a limit is admitted, one past it refused', () => {
    it('pending-and-executing', async () => {
      const { state, coin, gas, certify, transfer } = await setup();
      const manager = new TransactionManager(state, { limits: { maxPendingAndExecuting: 3 } });
      const waiting = (v: number) => certify(transfer({ ...refOf(coin), version: v }, refOf(gas)));
      expect(await manager.enqueue([waiting(5)])).toEqual(['pending']);
      expect(await manager.enqueue([waiting(6), waiting(7)])).toEqual(['pending', 'pending']); // 3 of 3
      await expect(manager.enqueue([waiting(8)])).rejects.toMatchObject({ limit: 'pending-and-executing' });
      expect(manager.counts.pending).toBe(3);
    });

    it('pending-and-executing, once the certificates that unblock others are set aside', async () => {
      const { state, coin, gas, certify, transfer } = await setup();
      const manager = new TransactionManager(state, { limits: { maxPendingAndExecuting: 3 } });
      const spending = (v: number) => certify(transfer({ ...refOf(coin), version: v }, refOf(gas)));
      await manager.enqueue([spending(5)]); // waits for coin version 5
      // Four would pass the limit, but spending(4) writes version 5 and goes past it: the other two make exactly 3.
      expect(await manager.enqueue([spending(4), spending(6), spending(7)])).toEqual(['pending', 'pending', 'pending']);
      expect(manager.load).toMatchObject({ ordinary: 3, pastLimit: 1 });
      await expect(manager.enqueue([spending(3), spending(8)])).rejects.toMatchObject({ limit: 'pending-and-executing' });
    });

    it('per-object queue, across calls and within one', async () => {
      const { state, coin, gas, certify, transfer } = await setup();
      const waiting = (v: number) => certify(transfer({ ...refOf(coin), version: v }, refOf(gas)));
      const across = new TransactionManager(state, { limits: { maxPerObjectQueue: 3 } });
      expect(await across.enqueue([waiting(5), waiting(6)])).toEqual(['pending', 'pending']);
      expect(await across.enqueue([waiting(7)])).toEqual(['pending']); // 3 waiting on the coin: the limit
      await expect(across.enqueue([waiting(8)])).rejects.toMatchObject({ limit: 'per-object-queue', objectId: coin.id });
      const within = new TransactionManager(state, { limits: { maxPerObjectQueue: 3 } });
      await expect(within.enqueue([waiting(5), waiting(6), waiting(7), waiting(8)])).rejects.toMatchObject({ limit: 'per-object-queue' });
      expect(await within.enqueue([waiting(5), waiting(6), waiting(7)])).toEqual(['pending', 'pending', 'pending']);
      // A call larger than the limit is counted per object: three on the coin and one elsewhere is within it.
      const mixed = new TransactionManager(state, { limits: { maxPerObjectQueue: 3 } });
      const [otherCoin, otherGas] = [genesisObject(id(11), { kind: 'address', address: ALICE }, { type: 'coin', balance: 5n }), genesisObject(id(12), { kind: 'address', address: ALICE }, { type: 'coin', balance: 1_000_000n })];
      await state.store.commit({ transactionDigest: id(0xeed), effects: {} as never, events: [], written: [otherCoin, otherGas], deleted: [] });
      const elsewhere = certify(transfer({ ...refOf(otherCoin), version: 5 }, refOf(otherGas)));
      expect(await mixed.enqueue([waiting(5), waiting(6), waiting(7), elsewhere])).toEqual(['pending', 'pending', 'pending', 'pending']);
    });

    it('queue age', async () => {
      const { state, coin, gas, certify, transfer } = await setup();
      let now = 0;
      const manager = new TransactionManager(state, { limits: { maxQueueAgeMs: 1_000 }, now: () => now });
      const waiting = (v: number) => certify(transfer({ ...refOf(coin), version: v }, refOf(gas)));
      await manager.enqueue([waiting(5)]);
      now = 1_000; // exactly the limit
      expect(manager.queueAge(coin.id)).toBe(1_000);
      expect(await manager.enqueue([waiting(6)])).toEqual(['pending']);
      now = 1_001;
      await expect(manager.enqueue([waiting(7)])).rejects.toMatchObject({ limit: 'queue-age', objectId: coin.id, detail: 'oldest waiting 1001 ms, limit 1000 ms' });
    });
  });

  it('releases a dependent chain one by one as commits happen, independent ones together (marble)', async () => {
    const fixture = await setup();
    const { coin, gas, certify, transfer, store } = fixture;
    // A chain a -> b -> c (each spends the previous one's outputs), and x, y independent of it.
    const a = certify(transfer(refOf(coin), refOf(gas), ALICE));
    const outA = predictOutputs(a, [coin], gas);
    const b = certify(transfer(outA(coin.id), outA(gas.id), ALICE));
    const outB = (objectId: string) => ({ id: objectId, version: 3, digest: id(0xb3) });
    const c = certify(transfer(outB(coin.id), outB(gas.id), BOB));
    const other = genesisObject(id(0x77), { kind: 'address', address: BOB }, { type: 'coin', balance: 1n });
    const otherGas = genesisObject(id(0x78), { kind: 'address', address: BOB }, { type: 'coin', balance: 1_000_000n });
    await store.commit({ transactionDigest: id(0xeef), effects: {} as never, events: [], written: [other, otherGas], deleted: [] });
    const x = certify({ ...transfer(refOf(other), refOf(otherGas), ALICE), sender: BOB });

    const commits = new Subject<CommittedOutputs>();
    const fakeState: TransactionManagerState = { store, committed$: commits, loadEpochStoreOneCallPerTask: () => fixture.state.loadEpochStoreOneCallPerTask() };
    const manager = new TransactionManager(fakeState);
    const released = collect(manager);
    expect(await manager.enqueue([c, b, a, x])).toEqual(['pending', 'pending', 'ready', 'ready']);
    expect(released.map((p) => p.certificate.digest)).toEqual([a.digest, x.digest]);

    const scheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
    scheduler.run(({ hot, expectObservable }) => {
      const committed = (certificate: CertifiedTransaction, written: { id: string; version: number }[]) =>
        ({ certificate, written: written.map((w) => ({ ...w, digest: id(0) })), output: {} as never }) satisfies CommittedOutputs;
      const notifications = hot('--A---B', {
        A: committed(a, [{ id: coin.id, version: 2 }, { id: gas.id, version: 2 }]),
        B: committed(b, [{ id: coin.id, version: 3 }, { id: gas.id, version: 3 }]),
      });
      notifications.subscribe(commits);
      const names = new Map([[b.digest, 'b'], [c.digest, 'c']]);
      expectObservable(manager.ready$.pipe(map((p) => names.get(p.certificate.digest) ?? '?'))).toBe('--b---c');
    });
  });
});
