import { Subject } from 'rxjs';
import type { CommittedOutputs } from '../../../lib/validator/execution/reference-authority-state';
import { genesisObject } from '../../../lib/validator/execution/genesis';
import { TransactionManager, type TransactionManagerState } from '../../../lib/validator/manager/transaction-manager';
import { type ObjectRef, refOf } from '../../../lib/validator/model/objects';
import type { TransactionData } from '../../../lib/validator/model/transactions';
import type { ObjectStore } from '../../../lib/validator/storage/object-store';
import { ALICE, id, setup } from '../fixtures';

/** A store whose first `readLatest` answers 50 ms late: a later call's waits are registered before that call's. */
function slowFirstRead(): (store: ObjectStore) => ObjectStore {
  let holdFirstRead: Promise<void> | undefined = new Promise((resolve) => setTimeout(resolve, 50));
  return (store) =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (property !== 'readLatest' || holdFirstRead === undefined) return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
        const held = holdFirstRead;
        holdFirstRead = undefined;
        return async (ids: readonly string[]) => {
          await held;
          return target.readLatest(ids);
        };
      },
    });
}

/**
 * Admission's per-object and age limits count the certificates waiting for a
 * version of the object, not every certificate that reads it: one that reads
 * an object at a version that exists, waiting elsewhere, or one found
 * cancelled on acceptance, must not age the object for others.
 */
describe('TransactionManager: per-object and age limits count only certificates waiting on the object', () => {
  /** The fixture, an immutable package-like object, and a manager on a clock (commits injectable). */
  async function waitsSetup(limits: { maxQueueAgeMs?: number; maxPerObjectQueue?: number } = {}, store?: (store: ObjectStore) => ObjectStore) {
    const fixture = await setup();
    const { state, certify } = fixture;
    const frozen = genesisObject(id(0x50), { kind: 'immutable' }, { type: 'coin', balance: 1n });
    const spare = genesisObject(id(0x51), { kind: 'address', address: ALICE }, { type: 'coin', balance: 1_000_000n });
    await state.store.commit({ transactionDigest: id(0xeed), effects: {} as never, events: [], written: [frozen, spare], deleted: [] });
    const committed = new Subject<CommittedOutputs>();
    const managerState: TransactionManagerState = {
      store: store ? store(state.store) : state.store,
      committed$: committed,
      loadEpochStoreOneCallPerTask: () => state.loadEpochStoreOneCallPerTask(),
    };
    const clock = { now: 0 };
    const manager = new TransactionManager(managerState, { limits: { maxQueueAgeMs: 1_000, ...limits }, now: () => clock.now });
    /** A transaction reading `inputs` and paying with `payment`, doing nothing else. */
    const reading = (inputs: TransactionData['inputs'], payment: ObjectRef): TransactionData => ({ sender: ALICE, inputs, gas: { payment, budget: 10_000n, price: 1n }, commands: [] });
    const wrote = (...written: ObjectRef[]): void => committed.next({ certificate: certify(reading([], { id: id(0xdead), version: 1, digest: id(0) })), written, deleted: [] } as never);
    return { ...fixture, frozen, spare, manager, clock, reading, wrote };
  }

  it('a sequenced certificate cancelled on acceptance (it names a spent version) leaves that object at once: the coin’s owner is not refused', async () => {
    const { manager, clock, gas, coin, certify, increment, transfer } = await waitsSetup();
    // B holds the counter: its gas version never comes. S increments after it and names the coin at a spent version.
    const b = certify(increment({ ...refOf(gas), version: 1_000 }));
    const s = certify({ ...increment(refOf(gas), 2n), inputs: [...increment(refOf(gas)).inputs, { kind: 'owned', ref: { ...refOf(coin), version: 0 } }] });
    expect(await manager.commit({ digest: 'c0', index: 0, certificates: [b] })).toEqual(['pending']);
    expect(await manager.commit({ digest: 'c1', index: 1, certificates: [s] })).toEqual(['pending']); // cancelled, waits for the counter
    clock.now = 5_000;
    expect(manager.queueAge(coin.id)).toBe(0);
    // The coin's owner spends it (its version exists): it conflicts with nothing waiting.
    const x = certify({ ...transfer(refOf(coin), refOf(coin)), inputs: [] });
    expect(await manager.enqueue([x])).toEqual(['ready']);
  });

  it('a certificate reading an object at a version that exists, waiting for another, does not age it (age and per-object limits)', async () => {
    const { manager, clock, frozen, gas, spare, certify, reading } = await waitsSetup({ maxPerObjectQueue: 1 });
    const w = certify(reading([{ kind: 'immutable', ref: refOf(frozen) }], { ...refOf(gas), version: 9 })); // waits for its gas only
    expect(await manager.enqueue([w])).toEqual(['pending']);
    clock.now = 5_000;
    expect(manager.queueAge(frozen.id)).toBe(0);
    expect(manager.queueAge(gas.id)).toBe(5_000);
    const x = certify(reading([{ kind: 'immutable', ref: refOf(frozen) }], refOf(spare)));
    expect(await manager.enqueue([x])).toEqual(['ready']);
    // Waiting on the gas coin is what counts there: a new wait on it is refused (its queue is full, and old).
    await expect(manager.enqueue([certify(reading([], { ...refOf(gas), version: 12 }))])).rejects.toMatchObject({ limit: 'per-object-queue', objectId: gas.id });
  });

  it('one waiting for a version of an object that never comes does not keep out for good one reading a version that exists', async () => {
    const { manager, clock, frozen, spare, gas, certify, reading } = await waitsSetup();
    const w = certify(reading([{ kind: 'immutable', ref: { ...refOf(frozen), version: 2 } }], refOf(gas))); // an immutable object has no version 2
    expect(await manager.enqueue([w])).toEqual(['pending']);
    clock.now = 5_000;
    expect(manager.queueAge(frozen.id)).toBe(5_000);
    const x = certify(reading([{ kind: 'immutable', ref: refOf(frozen) }], refOf(spare))); // it would not wait on it
    expect(await manager.enqueue([x])).toEqual(['ready']);
    // One that would wait there too is refused.
    await expect(manager.enqueue([certify(reading([{ kind: 'immutable', ref: { ...refOf(frozen), version: 3 } }], refOf(spare)))])).rejects.toMatchObject({ limit: 'queue-age', objectId: frozen.id });
  });

  it('a certificate whose wait on an object ended (the version came) no longer ages it, though it still waits for another', async () => {
    const { manager, clock, coin, gas, spare, certify, reading, wrote } = await waitsSetup({ maxPerObjectQueue: 1 });
    const w = certify(reading([{ kind: 'owned', ref: { ...refOf(coin), version: 2 } }], { ...refOf(gas), version: 9 }));
    expect(await manager.enqueue([w])).toEqual(['pending']);
    clock.now = 5_000;
    expect(manager.queueAge(coin.id)).toBe(5_000);
    wrote({ ...refOf(coin), version: 2 });
    expect(manager.counts.pending).toBe(1); // still waits for its gas
    expect(manager.queueAge(coin.id)).toBe(0);
    // A later version of the coin is waited for afresh: nobody waits on the coin, so no age and no queue.
    expect(await manager.enqueue([certify(reading([{ kind: 'owned', ref: { ...refOf(coin), version: 3 } }], refOf(spare)))])).toEqual(['pending']);
  });

  it('a certificate handed back or forgotten no longer ages what it waited on', async () => {
    const { manager, clock, coin, spare, certify, reading } = await waitsSetup();
    const never = id(0x77); // never created: it waits for it, and for a coin version
    const w = certify(reading([{ kind: 'owned', ref: { id: never, version: 1, digest: id(0) } }, { kind: 'owned', ref: { ...refOf(coin), version: 5 } }], refOf(spare)));
    expect(await manager.enqueue([w])).toEqual(['pending']);
    clock.now = 2_500; // past maxAwaitingCreationAgeMs (2 s): handed back
    expect(manager.expireAged()).toBe(1);
    expect(manager.queueAge(coin.id)).toBe(0);
    clock.now = 2_600;
    const next = certify(reading([{ kind: 'owned', ref: { ...refOf(coin), version: 6 } }], refOf(spare)));
    expect(await manager.enqueue([next])).toEqual(['pending']);
    manager.close();
    expect(manager.handBackAll()).toHaveLength(1);
    expect(manager.queueAge(coin.id)).toBe(0);
  });

  it('the oldest waiting certificate is found though a concurrent call registered its wait first', async () => {
    // The first call's store read is held back: the second, later one, registers its wait on the coin before it.
    const { manager, clock, coin, gas, certify, transfer } = await waitsSetup({}, slowFirstRead());
    const spending = (version: number) => certify(transfer({ ...refOf(coin), version }, refOf(gas)));
    const first = manager.enqueue([spending(5)]); // at 0
    clock.now = 100;
    const second = manager.enqueue([spending(6)]); // at 100, answered first
    expect(await second).toEqual(['pending']);
    expect(await first).toEqual(['pending']);
    clock.now = 1_050; // the first has waited 1,050 ms, the second 950
    expect(manager.queueAge(coin.id)).toBe(1_050);
    await expect(manager.enqueue([spending(7)])).rejects.toMatchObject({ limit: 'queue-age', objectId: coin.id });
  });

  it('a certificate waiting for a creation is handed back at its age though a later call’s was added before it', async () => {
    const { manager, clock, spare, certify, reading } = await waitsSetup({}, slowFirstRead());
    const handedBack: string[] = [];
    manager.handedBack$.subscribe(({ certificate }) => handedBack.push(certificate.digest));
    const awaiting = (n: number) => certify(reading([{ kind: 'owned', ref: { id: id(0x700 + n), version: 1, digest: id(0) } }], refOf(spare))); // never created
    const first = manager.enqueue([awaiting(1)]); // at 0, its read held back
    clock.now = 100;
    expect(await manager.enqueue([awaiting(2)])).toEqual(['pending']);
    expect(await first).toEqual(['pending']);
    clock.now = 2_050; // the first has waited 2,050 ms (limit 2,000), the second 1,950
    expect(manager.expireAged()).toBe(1);
    expect(handedBack).toEqual([awaiting(1).digest]);
  });
});
