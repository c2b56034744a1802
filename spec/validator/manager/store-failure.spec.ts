import type { PendingCertificate } from '../../../lib';
import { refOf } from '../../../lib/validator/model/objects';
import { TransactionManager } from '../../../lib/validator/manager/transaction-manager';
import type { ObjectStore } from '../../../lib/validator/storage/object-store';
import { predictOutputs, setup } from '../fixtures';

/**
 * The fixture's store, whose `failing`-th call of `method` (the first by default) rejects. Failing `isExecuted`,
 * it has no `areExecuted`, so that callers ask it digest by digest.
 */
function failingOnce(store: ObjectStore, method: 'readLatest' | 'isExecuted' | 'areExecuted', failing = 1): ObjectStore {
  let calls = 0;
  return new Proxy(store, {
    get(target, name, receiver) {
      if (method === 'isExecuted' && name === 'areExecuted') return undefined;
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      const original = value as (...a: unknown[]) => unknown;
      if (name !== method) return original.bind(target);
      return (...args: unknown[]) => {
        if (++calls === failing) return Promise.reject(new Error('disk hiccup'));
        return original.apply(target, args);
      };
    },
  });
}

describe('TransactionManager when a store read fails (found by the simulator)', () => {
  // The manager asks `areExecuted` (else `isExecuted`) whether a certificate executed (retention may prune `readExecuted`'s record).
  it.each(['readLatest', 'isExecuted', 'areExecuted'] as const)('refuses the call whole when %s fails, and takes the same certificates again', async (method) => {
    const fixture = await setup();
    const { state, coin, gas, certify, transfer } = fixture;
    const manager = new TransactionManager({ store: failingOnce(state.store, method), committed$: state.committed$, loadEpochStoreOneCallPerTask: () => state.loadEpochStoreOneCallPerTask() });
    const released: PendingCertificate[] = [];
    manager.ready$.subscribe((p) => released.push(p));
    const certificate = certify(transfer(refOf(coin), refOf(gas)));
    await expect(manager.enqueue([certificate])).rejects.toThrow('disk hiccup');
    // Nothing of the refused call is held: before the fix it stayed pending, and this answered 'already-pending' for good.
    expect(manager.counts).toEqual({ pending: 0, executing: 0, missingObjects: 0 });
    expect(await manager.enqueue([certificate])).toEqual(['ready']);
    expect(released.map((p) => p.certificate.digest)).toEqual([certificate.digest]);
  });

  it('reads again an object whose read failed while another call waited on it (seed 7800 of the simulator)', async () => {
    const fixture = await setup();
    const { state, coin, gas, certify, transfer } = fixture;
    const manager = new TransactionManager({ store: failingOnce(state.store, 'readLatest'), committed$: state.committed$, loadEpochStoreOneCallPerTask: () => state.loadEpochStoreOneCallPerTask() });
    const released: PendingCertificate[] = [];
    manager.ready$.subscribe((p) => released.push(p));
    const first = certify(transfer(refOf(coin), refOf(gas)));
    const out = predictOutputs(first, [coin], gas);
    const second = certify(transfer(out(coin.id), out(gas.id)));
    const refused = manager.enqueue([first]); // its read of the coin and the gas fails
    const waiting = manager.enqueue([second]); // meanwhile, waits on the same two objects
    await expect(refused).rejects.toThrow('disk hiccup');
    expect(await waiting).toEqual(['pending']);
    // Sent again, it reads them again and finds them: before, it waited for them to be created, and was handed back by age, for good.
    expect(await manager.enqueue([first])).toEqual(['ready']);
    expect(manager.counts.missingObjects).toBe(2); // the second waits for the first's outputs, as it should
    const [ready] = released;
    if (!ready) throw new Error('nothing released');
    await state.tryExecuteImmediately(ready.certificate, undefined, undefined, state.loadEpochStoreOneCallPerTask());
    expect(released.map((p) => p.certificate.digest)).toEqual([first.digest, second.digest]);
  });

  it('gives back a commit whose read of its inputs fails, and takes it again at the same versions when consensus delivers it again', async () => {
    const fixture = await setup();
    const { state, gas, counter, certify, increment } = fixture;
    // The first read is the shared object's next version; the second, the inputs', fails (after the versions were assigned).
    const manager = new TransactionManager({ store: failingOnce(state.store, 'readLatest', 2), committed$: state.committed$, loadEpochStoreOneCallPerTask: () => state.loadEpochStoreOneCallPerTask() });
    const released: PendingCertificate[] = [];
    manager.ready$.subscribe((p) => released.push(p));
    const certificate = certify(increment(refOf(gas)));
    const commit = { digest: 'c0', index: 0, certificates: [certificate] };
    await expect(manager.commit(commit)).rejects.toThrow('disk hiccup');
    expect(manager.counts.pending).toBe(0);
    const assigned = state.loadEpochStoreOneCallPerTask().sharedVersion(certificate.digest, counter.id);
    expect(await manager.commit(commit)).toEqual(['ready']);
    expect(released).toHaveLength(1);
    expect(state.loadEpochStoreOneCallPerTask().sharedVersion(certificate.digest, counter.id)).toBe(assigned);
  });

  it('sequences no commit after one that failed before it was sequenced, until consensus delivers that one again (seed 34 of the simulator)', async () => {
    const fixture = await setup();
    const { state, gas, coin, counter, certify, increment } = fixture;
    const manager = new TransactionManager({ store: failingOnce(state.store, 'areExecuted'), committed$: state.committed$, loadEpochStoreOneCallPerTask: () => state.loadEpochStoreOneCallPerTask() });
    const first = certify(increment(refOf(gas)));
    const second = certify(increment(refOf(coin)));
    const commits = [
      { digest: 'c0', index: 0, certificates: [first] },
      { digest: 'c1', index: 1, certificates: [second] },
    ] as const;
    // Sent together, as consensus streams them: the first one's read fails.
    const [failed, behind] = [manager.commit(commits[0]), manager.commit(commits[1])];
    await expect(failed).rejects.toThrow('disk hiccup');
    await expect(behind).rejects.toMatchObject({ name: 'CommitOrderError', problem: 'after-failed-commit', index: 1, lastIndex: 0 });
    // Still refused when sent on its own, before the failed one comes back.
    await expect(manager.commit(commits[1])).rejects.toMatchObject({ problem: 'after-failed-commit' });
    const epochStore = state.loadEpochStoreOneCallPerTask();
    expect(epochStore.sharedVersion(second.digest, counter.id)).toBeUndefined();
    // In order again, streamed as consensus does (the next one right behind): each takes the version consensus order gives it.
    expect(await Promise.all([manager.commit(commits[0]), manager.commit(commits[1])])).toEqual([['ready'], ['pending']]);
    const firstVersion = epochStore.sharedVersion(first.digest, counter.id) as number;
    expect(firstVersion).toBe(1);
    expect(epochStore.sharedVersion(second.digest, counter.id)).toBeGreaterThan(firstVersion);
  });

  it('holds nothing back when a redelivery of a commit sequenced before fails (a reviewer\'s repro)', async () => {
    const fixture = await setup();
    const { state, gas, coin, counter, certify, increment } = fixture;
    let failNext = 0;
    const store = new Proxy(state.store, {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        const original = value as (...a: unknown[]) => unknown;
        if (name !== 'isExecuted' && name !== 'areExecuted') return original.bind(target);
        return (...args: unknown[]) => (failNext-- > 0 ? Promise.reject(new Error('disk hiccup')) : original.apply(target, args));
      },
    });
    const manager = new TransactionManager({ store, committed$: state.committed$, loadEpochStoreOneCallPerTask: () => state.loadEpochStoreOneCallPerTask() });
    const first = certify(increment(refOf(gas)));
    const second = certify(increment(refOf(coin)));
    const c0 = { digest: 'c0', index: 0, certificates: [first] };
    const c1 = { digest: 'c1', index: 1, certificates: [second] };
    const released: PendingCertificate[] = [];
    manager.ready$.subscribe((p) => released.push(p));
    expect(await manager.commit(c0)).toEqual(['ready']);
    // c0 executes: a redelivery of it now reads its executed record.
    const [ready] = released;
    if (!ready) throw new Error('nothing released');
    await state.tryExecuteImmediately(ready.certificate, ready.commit?.digest, undefined, state.loadEpochStoreOneCallPerTask());
    failNext = 1;
    await expect(manager.commit(c1)).rejects.toThrow('disk hiccup');
    // c0 again, its read failing: it was sequenced already, so it must not take c1's place as the one to wait for.
    failNext = 1;
    await manager.commit(c0).catch(() => undefined);
    expect(await manager.commit(c1)).toEqual(['ready']);
    const epochStore = state.loadEpochStoreOneCallPerTask();
    // The first took the counter at its initial version 1; the second comes after it.
    expect(epochStore.sharedVersion(second.digest, counter.id)).toBeGreaterThan(1);
  });
});
