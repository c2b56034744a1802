import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { open } from 'lmdb';
import { InvalidOptionError } from '../../../lib';
import { genesisObject } from '../../../lib/validator/execution/genesis';
import { LMDB_FORMAT_VERSION, LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { StoreFullError, StoreOpenError } from '../../../lib/validator/storage/store-errors';
import { batch } from './batches';
import { temporaryDatabase } from './temporary-database';

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const owner = { kind: 'address', address: id(0xa) } as const;
const coin = (n: number, balance = 1n) => genesisObject(id(n), owner, { type: 'coin', balance });

/** What `open` throws. */
function openError(path: string): unknown {
  try {
    void LmdbObjectStore.open({ path }).close();
  } catch (error) {
    return error;
  }
  throw new Error(`opened ${path}`);
}

describe('LmdbObjectStore', () => {
  it('keeps objects, effects and events across a close and a reopen', async () => {
    const path = await temporaryDatabase();
    const first = LmdbObjectStore.open({ path });
    const events = [{ type: 'CounterIncremented', counter: id(3), value: '7' }];
    await first.commit({ ...batch(100, [coin(1, 5n)]), events });
    await first.close();
    const again = LmdbObjectStore.open({ path });
    expect(await again.readLatest([id(1)])).toEqual([coin(1, 5n)]);
    const record = await again.readExecuted(id(100));
    expect(record?.effects).toEqual(batch(100, []).effects);
    expect(record?.events).toEqual(events);
    expect(again.liveObjects()).toEqual([coin(1, 5n)]);
    await again.close();
  });

  it('keeps the epoch\'s executed markers across a reopen, whatever the retention pruned, and drops them with the next epoch\'s first batch', async () => {
    const path = await temporaryDatabase();
    const first = LmdbObjectStore.open({ path, executedTransactions: 1 });
    for (let n = 1; n <= 3; n++) await first.commit(batch(100 + n, [coin(n)]));
    await first.close();
    const second = LmdbObjectStore.open({ path, executedTransactions: 1 });
    try {
      expect(await second.readExecuted(id(101))).toBeUndefined();
      expect(await Promise.all([101, 102, 103].map((tx) => second.isExecuted(id(tx))))).toEqual([true, true, true]);
      await expect(second.commit(batch(101, [coin(9)]))).rejects.toThrow('already committed');
      // The next epoch's first batch, after a reopen (the epoch of the markers is read back from the disk).
      await second.commit(batch(104, [coin(4)], [], 1));
      expect(await Promise.all([101, 102, 103, 104].map((tx) => second.isExecuted(id(tx))))).toEqual([false, false, false, true]);
    } finally {
      await second.close();
    }
  });

  it('reads a digest or id spelled in upper case as the same key, never as damage', async () => {
    const path = await temporaryDatabase();
    const first = LmdbObjectStore.open({ path });
    await first.commit(batch(0xab, [coin(0xcd, 5n)]));
    await first.close();
    // Read from disk (not from what the store wrote this session): the checks that a record is its key's run here.
    const again = LmdbObjectStore.open({ path });
    const upper = (hex: string) => `0x${hex.slice(2).toUpperCase()}`;
    expect((await again.readExecuted(upper(id(0xab))))?.effects).toEqual(batch(0xab, []).effects);
    expect(await again.readLatest([upper(id(0xcd))])).toEqual([coin(0xcd, 5n)]);
    expect(await again.readObjects([{ id: upper(id(0xcd)), version: 1 }])).toEqual([coin(0xcd, 5n)]);
    await again.close();
  });

  it('group-commits: commits queued together all land, each resolved once written', async () => {
    const store = LmdbObjectStore.open({ path: await temporaryDatabase() });
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.commit(batch(1_000 + i, [coin(i + 1)]))));
    expect(store.liveObjects()).toHaveLength(50);
    expect(store.executedCount()).toBe(50);
    await store.close();
  });

  it('checks each batch against the ones issued with it: a second copy of a transaction, or a version written twice, is refused', async () => {
    const store = LmdbObjectStore.open({ path: await temporaryDatabase() });
    const results = await Promise.allSettled([
      store.commit(batch(100, [coin(1)])),
      store.commit(batch(100, [coin(2)])),
      store.commit(batch(101, [coin(3)])),
      store.commit(batch(102, [coin(3, 9n)])),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ name: 'StoreConflictError', message: expect.stringMatching(/already committed/) as unknown });
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ name: 'StoreConflictError', message: expect.stringMatching(/version 1 already exists/) as unknown });
    // Nothing of the refused ones landed.
    expect(await store.readLatest([id(1), id(2), id(3)])).toEqual([coin(1), undefined, coin(3)]);
    expect(await store.readExecuted(id(102))).toBeUndefined();
    expect(store.executedCount()).toBe(2);
    await store.close();
  });

  it('a deleted object is neither the latest nor live, and its history stays', async () => {
    const store = LmdbObjectStore.open({ path: await temporaryDatabase() });
    await store.commit(batch(100, [coin(1), coin(2)]));
    await store.commit(batch(101, [], [{ id: id(1), version: 2 }]));
    expect(await store.readLatest([id(1), id(2)])).toEqual([undefined, coin(2)]);
    expect(await store.readObjects([{ id: id(1), version: 1 }, { id: id(1), version: 2 }])).toEqual([coin(1), undefined]);
    expect(store.liveObjects()).toEqual([coin(2)]);
    await store.close();
  });

  it('reads what landed from memory (the objects it wrote, as written), and what it did not from the disk', async () => {
    const path = await temporaryDatabase();
    const store = LmdbObjectStore.open({ path, cachedObjects: 2 });
    const written = [coin(1), coin(2), coin(3)];
    await store.commit(batch(100, written));
    // The newest two are kept as they were written; the first was evicted, so it is decoded from the disk again.
    const [first, second, third] = await store.readLatest([id(1), id(2), id(3)]);
    expect(second).toBe(written[1]);
    expect(third).toBe(written[2]);
    expect(first).not.toBe(written[0]);
    expect(first).toEqual(written[0]);
    await store.close();
    const none = LmdbObjectStore.open({ path, cachedObjects: 0 });
    const fourth = coin(4);
    await none.commit(batch(101, [fourth]));
    const [read] = await none.readLatest([id(4)]);
    expect(read).toEqual(fourth);
    expect(read).not.toBe(fourth);
    await none.close();
  });

  it('refuses a cache size that is not a whole number, 0 or more', async () => {
    const path = await temporaryDatabase();
    for (const cachedObjects of [-1, 1.5, Number.NaN]) expect(() => LmdbObjectStore.open({ path, cachedObjects })).toThrow(InvalidOptionError);
  });

  it('makes a staged batch readable at once, and resolves it once it is on disk', async () => {
    const path = await temporaryDatabase();
    const store = LmdbObjectStore.open({ path });
    const durable = store.stage(batch(100, [coin(1)]));
    expect(await store.readObjects([{ id: id(1), version: 1 }])).toEqual([coin(1)]);
    expect(await store.readLatest([id(1)])).toEqual([coin(1)]);
    expect((await store.readExecuted(id(100)))?.effects.transactionDigest).toBe(id(100));
    expect(store.executedCount()).toBe(0); // not on disk yet
    await durable;
    expect(store.executedCount()).toBe(1);
    await store.close();
    const again = LmdbObjectStore.open({ path });
    expect(await again.readLatest([id(1)])).toEqual([coin(1)]);
    await again.close();
  });

  it('fails a batch that read the outputs of one that did not land, and lands the others', async () => {
    const store = LmdbObjectStore.open({ path: await temporaryDatabase() });
    const tables = store as unknown as { executed: { put: (...args: unknown[]) => unknown } };
    const put = tables.executed.put.bind(tables.executed);
    tables.executed.put = (...args: unknown[]) => {
      if ((args[0] as Buffer).equals(Buffer.from(id(100).slice(2), 'hex'))) throw new Error('injected failure');
      return put(...args);
    };
    const spends = (tx: number, written: ReturnType<typeof coin>[], dependency: number) => {
      const plain = batch(tx, written);
      return { ...plain, effects: { ...plain.effects, dependencies: [id(dependency)] } };
    };
    const slow = store.commit(batch(98, [coin(8)])); // a write on its way: the next batches queue behind it, and go together
    const results = await Promise.allSettled([store.stage(batch(100, [coin(1)])), store.stage(spends(101, [coin(2)], 100)), store.stage(batch(102, [coin(3)])), slow]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'injected failure' });
    expect(await store.readLatest([id(1), id(2), id(3)])).toEqual([undefined, undefined, coin(3)]);
    // Staged after the failure is known: refused at once.
    expect(() => store.stage(spends(103, [coin(4)], 100))).toThrow('injected failure');
    tables.executed.put = put;
    await store.close();
  });

  it('leaves no trace of a batch that fails inside its write transaction, and keeps the ones beside it', async () => {
    const store = LmdbObjectStore.open({ path: await temporaryDatabase() });
    const tables = store as unknown as { executed: { put: (...args: unknown[]) => unknown } };
    const put = tables.executed.put.bind(tables.executed);
    let calls = 0;
    // The second batch fails after its objects are written, before its executed marker.
    tables.executed.put = (...args: unknown[]) => {
      if (++calls === 2) throw new Error('injected failure');
      return put(...args);
    };
    const results = await Promise.allSettled([store.commit(batch(100, [coin(1)])), store.commit(batch(101, [coin(2)])), store.commit(batch(102, [coin(3)]))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.readLatest([id(1), id(2), id(3)])).toEqual([coin(1), undefined, coin(3)]);
    expect(await store.readExecuted(id(101))).toBeUndefined();
    // Nothing half-written blocks the retry.
    tables.executed.put = put;
    await store.commit(batch(101, [coin(2)]));
    expect(await store.readLatest([id(2)])).toEqual([coin(2)]);
    await store.close();
  });

  it('opens an empty file as a new database: what a power loss before the first sync leaves (nothing in it was ever durable)', async () => {
    const path = await temporaryDatabase();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '');
    const store = LmdbObjectStore.open({ path });
    await store.commit(batch(100, [coin(1)]));
    expect(await store.readLatest([id(1)])).toEqual([coin(1)]);
    await store.close();
  });

  describe('refuses a database it cannot use, with a typed error naming the path, and changes nothing', () => {
    it('a path that is not writable', async () => {
      const blocker = join(dirname(await temporaryDatabase()), 'a-file');
      writeFileSync(blocker, 'not a folder');
      const path = join(blocker, 'validator.mdb');
      expect(openError(path)).toMatchObject({ name: 'StoreOpenError', problem: 'not-writable', path });
    });

    it('a corrupt file, or a file of another kind', async () => {
      const path = await temporaryDatabase();
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, 'these are not the bytes of a database'.repeat(200));
      expect(openError(path)).toMatchObject({ name: 'StoreOpenError', problem: 'corrupt', path });
      expect(readFileSync(path, 'utf8')).toBe('these are not the bytes of a database'.repeat(200));
    });

    it('an LMDB database of another program', async () => {
      const path = await temporaryDatabase();
      const other = open<string, string>({ path });
      await other.put('theirs', 'data');
      await other.close();
      expect(openError(path)).toMatchObject({ name: 'StoreOpenError', problem: 'foreign', path });
      const check = open<string, string>({ path });
      expect(check.get('theirs')).toBe('data');
      expect(Array.from(check.getKeys())).toEqual(['theirs']);
      await check.close();
    });

    it.each([['newer-format', LMDB_FORMAT_VERSION + 1]] as const)('a database of another format (%s)', async (problem, format) => {
      const path = await temporaryDatabase();
      await LmdbObjectStore.open({ path }).close();
      const raw = open<Buffer, string>({ path, encoding: 'binary' });
      const stamp = Buffer.alloc(8);
      stamp.writeBigUInt64BE(BigInt(format));
      await raw.put('soma-validator-format', stamp);
      await raw.close();
      const error = openError(path);
      expect(error).toBeInstanceOf(StoreOpenError);
      expect(error).toMatchObject({ problem, path });
      expect((error as Error).message).toContain(path);
      const check = open<Buffer, string>({ path, encoding: 'binary' });
      expect(check.get('soma-validator-format')).toEqual(stamp);
      await check.close();
    });

    it('a database of format 1 (ed25519 certificates and committees), left as it was', async () => {
      const path = await temporaryDatabase();
      await LmdbObjectStore.open({ path }).close();
      const raw = open<Buffer, string>({ path, encoding: 'binary' });
      const older = Buffer.alloc(8);
      older.writeBigUInt64BE(1n);
      await raw.put('soma-validator-format', older);
      await raw.close();
      const error = openError(path);
      expect(error).toMatchObject({ name: 'StoreOpenError', problem: 'older-format', path });
      expect((error as Error).message).toMatch(/format 1 was written by an older version/);
      const check = open<Buffer, string>({ path, encoding: 'binary' });
      expect(check.get('soma-validator-format')).toEqual(older);
      await check.close();
    });
  });

  it('gives a typed error on a full disk, rolls the batch back, and keeps everything written before', async () => {
    // lmdb-js grows its map on demand, so a map size cannot fill it: a 1 MiB filesystem does.
    const mount = join(dirname(await temporaryDatabase()), 'small');
    mkdirSync(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]);
    try {
      const store = LmdbObjectStore.open({ path: join(mount, 'validator.mdb') });
      const written: number[] = [];
      let failure: unknown;
      for (let tx = 1; tx < 20_000 && failure === undefined; tx++) {
        try {
          await store.commit(batch(tx, Array.from({ length: 20 }, (_, i) => coin(tx * 100 + i))));
          written.push(tx);
        } catch (error) {
          failure = error;
        }
      }
      expect(failure).toBeInstanceOf(StoreFullError);
      expect((failure as StoreFullError).path).toBe(join(mount, 'validator.mdb'));
      const failed = (written.at(-1) ?? 0) + 1;
      expect(await store.readExecuted(id(failed))).toBeUndefined();
      expect(await store.readLatest([id(failed * 100)])).toEqual([undefined]);
      for (const tx of written) expect(await store.readExecuted(id(tx))).toBeDefined();
      await store.close().catch(() => undefined);
    } finally {
      execFileSync('umount', ['--lazy', mount]); // the map may stay open until the process ends
    }
  });
});
