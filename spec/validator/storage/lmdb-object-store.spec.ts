import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { open } from 'lmdb';
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

  it('group-commits: commits queued together all land, each resolved once written', async () => {
    const store = LmdbObjectStore.open({ path: await temporaryDatabase() });
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.commit(batch(1_000 + i, [coin(i + 1)]))));
    expect(store.liveObjects()).toHaveLength(50);
    expect(store.executedCount()).toBe(50);
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

    it('a database of a newer format', async () => {
      const path = await temporaryDatabase();
      await LmdbObjectStore.open({ path }).close();
      const raw = open<Buffer, string>({ path, encoding: 'binary' });
      const newer = Buffer.alloc(8);
      newer.writeBigUInt64BE(BigInt(LMDB_FORMAT_VERSION + 1));
      await raw.put('soma-validator-format', newer);
      await raw.close();
      const error = openError(path);
      expect(error).toBeInstanceOf(StoreOpenError);
      expect(error).toMatchObject({ problem: 'newer-format', path });
      expect((error as Error).message).toContain(path);
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
    // lmdb-js also prints the write error itself, from its own writer, after the test may have ended: keep it off jest's console.
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
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
