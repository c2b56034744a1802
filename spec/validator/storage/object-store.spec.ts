import { InvalidOptionError } from '../../../lib';
import { genesisObject } from '../../../lib/validator/execution/genesis';
import { type InMemoryRetention, InMemoryObjectStore, type ObjectStore, StoreConflictError } from '../../../lib/validator/storage/object-store';
import { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { batch } from './batches';
import { temporaryDatabase } from './temporary-database';
import type { StoredObject } from '../../../lib/validator/model/objects';

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const owner = { kind: 'address', address: id(0xa) } as const;


type StoreUnderTest = ObjectStore & { liveObjects(): StoredObject[] };

/** The port's contract: whatever holds for one store holds for the other. */
const stores: [string, (retention?: InMemoryRetention) => Promise<StoreUnderTest>][] = [
  ['InMemoryObjectStore', (retention) => Promise.resolve(new InMemoryObjectStore(retention))],
  ['LmdbObjectStore', async (retention) => track(LmdbObjectStore.open({ path: await temporaryDatabase(), ...retention }))],
  // Landed objects kept decoded only mirror the disk: with none kept, or one (evicted at once), the same contract holds.
  ['LmdbObjectStore, nothing cached', async (retention) => track(LmdbObjectStore.open({ path: await temporaryDatabase(), cachedObjects: 0, ...retention }))],
  ['LmdbObjectStore, one object cached', async (retention) => track(LmdbObjectStore.open({ path: await temporaryDatabase(), cachedObjects: 1, ...retention }))],
];

const opened: LmdbObjectStore[] = [];
function track(store: LmdbObjectStore): LmdbObjectStore {
  opened.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

describe.each(stores)('ObjectStore contract: %s', (_name, open) => {
  it('keeps every version, tracks the latest, and forgets deleted objects as latest', async () => {
    const store = await open();
    const v1 = genesisObject(id(1), owner, { type: 'coin', balance: 5n });
    await store.commit(batch(100, [v1]));
    const v2 = { ...v1, version: 2, contents: { type: 'coin', balance: 4n } as const };
    await store.commit(batch(101, [v2]));
    expect(await store.readObjects([{ id: v1.id, version: 1 }, { id: v1.id, version: 2 }, { id: v1.id, version: 3 }])).toEqual([v1, v2, undefined]);
    expect(await store.readLatest([v1.id])).toEqual([v2]);
    await store.commit(batch(102, [], [{ id: v1.id, version: 3 }]));
    expect(await store.readLatest([v1.id])).toEqual([undefined]);
    expect((await store.readExecuted(id(101)))?.effects.transactionDigest).toBe(id(101));
    expect(await store.readExecuted(id(999))).toBeUndefined();
  });

  it('finds every version however commits arrive, and the latest is the highest version', async () => {
    const store = await open();
    const versions = [5, 2, 9, 1, 7].map((version) => ({ ...genesisObject(id(1), owner, { type: 'coin', balance: BigInt(version) }), version }));
    for (const [i, object] of versions.entries()) await store.commit(batch(200 + i, [object]));
    for (const object of versions) expect(await store.readObjects([object])).toEqual([object]);
    expect(await store.readObjects([{ id: id(1), version: 3 }, { id: id(2), version: 1 }])).toEqual([undefined, undefined]);
    expect((await store.readLatest([id(1)]))[0]?.version).toBe(9);
    await expect(store.commit(batch(300, [versions[2] as StoredObject]))).rejects.toThrow(/version 9 already exists/);
  });

  it('refuses a conflicting batch atomically: nothing of it is written', async () => {
    const store = await open();
    const a = genesisObject(id(1), owner, { type: 'coin', balance: 1n });
    await store.commit(batch(100, [a]));
    const b = genesisObject(id(2), owner, { type: 'coin', balance: 2n });
    await expect(store.commit(batch(101, [b, a]))).rejects.toThrow(StoreConflictError);
    expect(await store.readLatest([b.id])).toEqual([undefined]);
    expect(await store.readExecuted(id(101))).toBeUndefined();
    await expect(store.commit(batch(100, [b]))).rejects.toThrow(/already committed/);
  });

  it('hands out immutable values: neither a reader nor the committer can change what it holds', async () => {
    const store = await open();
    const a = genesisObject(id(1), owner, { type: 'coin', balance: 1n });
    await store.commit(batch(100, [a]));
    const [read] = await store.readLatest([a.id]);
    expect(Object.isFrozen(read)).toBe(true);
    expect(Object.isFrozen(read?.contents)).toBe(true);
    expect(Object.isFrozen(read?.owner)).toBe(true);
    try {
      (a.contents as { balance: bigint }).balance = 99n; // the in-memory store froze it: this throws there
    } catch {
      // frozen
    }
    expect((await store.readLatest([a.id]))[0]?.contents).toEqual({ type: 'coin', balance: 1n });
  });

  describe('retention', () => {
    const coin = (version: number) => ({ ...genesisObject(id(1), owner, { type: 'coin', balance: BigInt(version) }), version });

    it('keeps everything by default', async () => {
      const store = await open();
      for (let v = 1; v <= 5; v++) await store.commit(batch(100 + v, [coin(v)]));
      expect((await store.readObjects([1, 2, 3, 4, 5].map((version) => ({ id: id(1), version })))).every(Boolean)).toBe(true);
      expect(await store.readExecuted(id(101))).toBeDefined();
    });

    it('keeps the newest versions per object and the most recent executed transactions, when asked', async () => {
      const store = await open({ versionsPerObject: 2, executedTransactions: 3 });
      for (let v = 1; v <= 5; v++) await store.commit(batch(100 + v, [coin(v)]));
      const found = await store.readObjects([1, 2, 3, 4, 5].map((version) => ({ id: id(1), version })));
      expect(found.map((o) => o?.version)).toEqual([undefined, undefined, undefined, 4, 5]);
      expect((await store.readLatest([id(1)]))[0]?.version).toBe(5);
      expect(await Promise.all([101, 102, 103, 104, 105].map(async (tx) => (await store.readExecuted(id(tx))) !== undefined))).toEqual([false, false, true, true, true]);
      // A deleted object's history goes too.
      await store.commit(batch(106, [], [{ id: id(1), version: 6 }]));
      expect(await store.readObjects([{ id: id(1), version: 5 }])).toEqual([undefined]);
      expect(store.liveObjects()).toEqual([]);
    });

    it('knows every transaction of the epoch executed, whatever the retention pruned, and refuses to commit one again', async () => {
      const store = await open({ executedTransactions: 1 });
      for (let v = 1; v <= 4; v++) await store.commit(batch(100 + v, [coin(v)]));
      expect(await store.readExecuted(id(101))).toBeUndefined(); // its effects are pruned
      expect(await Promise.all([101, 102, 103, 104, 999].map((tx) => (store.isExecuted as (d: string) => Promise<boolean>)(id(tx))))).toEqual([true, true, true, true, false]);
      // Asked together, in order (what the manager asks per call), the same answers.
      expect(await (store.areExecuted as (d: readonly string[]) => Promise<boolean[]>)([999, 104, 101, 103, 102].map(id))).toEqual([false, true, true, true, true]);
      // A copy of a pruned one, with a version that does not exist yet: refused, nothing written.
      await expect(store.commit(batch(101, [coin(9)]))).rejects.toThrow(StoreConflictError);
      expect((await store.readLatest([id(1)]))[0]?.version).toBe(4);
    });

    it('drops the markers of an epoch with the first batch of the next one', async () => {
      const store = await open({ executedTransactions: 1 });
      const isExecuted = (tx: number) => (store.isExecuted as (d: string) => Promise<boolean>)(id(tx));
      await store.commit(batch(101, [coin(1)], [], 0));
      await store.commit(batch(102, [coin(2)], [], 0));
      expect(await isExecuted(101)).toBe(true);
      await store.commit(batch(103, [coin(3)], [], 1));
      // 101's record was pruned and its epoch ended: forgotten (its certificate is refused as wrong-epoch anyway).
      expect(await Promise.all([101, 102, 103].map(isExecuted))).toEqual([false, false, true]);
      expect(await (store.areExecuted as (d: readonly string[]) => Promise<boolean[]>)([103, 101, 102].map(id))).toEqual([true, false, false]);
      await store.commit(batch(104, [coin(4)], [], 1));
      expect(await Promise.all([103, 104].map(isExecuted))).toEqual([true, true]);
    });
  });
});

describe('InMemoryObjectStore', () => {
  it('takes ownership of what it commits: the batch\'s objects are frozen', async () => {
    const store = new InMemoryObjectStore();
    const a = genesisObject(id(1), owner, { type: 'coin', balance: 1n });
    await store.commit(batch(100, [a]));
    expect(() => {
      (a.contents as { balance: bigint }).balance = 99n;
    }).toThrow(TypeError);
  });

  it('refuses a retention below one', () => {
    expect(() => new InMemoryObjectStore({ versionsPerObject: 0 })).toThrow(InvalidOptionError);
    expect(() => new InMemoryObjectStore({ executedTransactions: Number.NaN })).toThrow(InvalidOptionError);
  });
});
