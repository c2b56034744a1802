import type { PendingCertificate } from '../../../lib';
import { refOf } from '../../../lib/validator/model/objects';
import { TransactionManager } from '../../../lib/validator/manager/transaction-manager';
import type { ObjectStore } from '../../../lib/validator/storage/object-store';
import { predictOutputs, setup } from '../fixtures';

/** The fixture's store, whose `failing`-th call of `method` (the first by default) rejects. */
function failingOnce(store: ObjectStore, method: 'readLatest' | 'readExecuted', failing = 1): ObjectStore {
  let calls = 0;
  return new Proxy(store, {
    get(target, name, receiver) {
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
  it.each(['readLatest', 'readExecuted'] as const)('refuses the call whole when %s fails, and takes the same certificates again', async (method) => {
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
});
