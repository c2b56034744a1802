import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { open } from 'lmdb';
import { genesisObject } from '../../../lib/validator/execution/genesis';
import { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { encodePending, idBytes, objectKey } from '../../../lib/validator/storage/record-encoding';
import { StoreClosedError, StoreCorruptError, StoreFullError, StoreOpenError } from '../../../lib/validator/storage/store-errors';
import { generateWorkload } from '../../../lib/validator/workload/workload';
import { batch } from './batches';
import { temporaryDatabase } from './temporary-database';

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const owner = { kind: 'address', address: id(0xa) } as const;
const coin = (n: number, balance = 1n) => genesisObject(id(n), owner, { type: 'coin', balance });

/** Rejections nobody handled while `run` ran, and a few turns after (lmdb-js settles its own promises late). */
async function unhandledDuring(run: () => Promise<void>): Promise<unknown[]> {
  const unhandled: unknown[] = [];
  const record = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', record);
  try {
    await run();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    process.off('unhandledRejection', record);
  }
  return unhandled;
}

/** A small tmpfs (these specs run as root, as CI does), unmounted after `run`. */
async function onSmallDisk(size: string, run: (mount: string) => Promise<void>): Promise<void> {
  const mount = join(dirname(await temporaryDatabase()), 'small');
  mkdirSync(mount);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mount]);
  try {
    await run(mount);
  } finally {
    execFileSync('umount', ['--lazy', mount]); // the map may stay open until the process ends
  }
}

/** Fill the filesystem at `mount` to its last block. */
function fill(mount: string): void {
  const { bavail, bsize } = statfsSync(mount);
  if (bavail > 0) writeFileSync(join(mount, `junk-${Date.now()}`), Buffer.alloc(bavail * bsize));
  expect(statfsSync(mount).bavail).toBe(0);
}

function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('it did not throw');
}

/** Open the file as a plain LMDB database, change it, close it. */
async function rewrite(path: string, change: (table: (name: string) => ReturnType<ReturnType<typeof open>['openDB']>, root: ReturnType<typeof open>) => Promise<unknown>): Promise<void> {
  const root = open<Buffer, string>({ path, maxDbs: 16, encoding: 'binary' });
  await change((name) => root.openDB<Buffer, Buffer>(name, { encoding: 'binary', keyEncoding: 'binary' }), root);
  await root.close();
}

describe('LmdbObjectStore faults', () => {
  it('on a full disk: commits get StoreFullError, no rejection of lmdb-js is left unhandled, and close resolves', async () => {
    await onSmallDisk('1m', async (mount) => {
      const path = join(mount, 'validator.mdb');
      const store = LmdbObjectStore.open({ path });
      const failures: unknown[] = [];
      const unhandled = await unhandledDuring(async () => {
        // Several batches a turn, as the pipeline stages them, until the disk is full and a few more after.
        for (let tx = 1; tx < 5_000 && failures.length < 12; tx += 4) {
          const group = [0, 1, 2, 3].map((k) => store.commit(batch(tx + k, Array.from({ length: 20 }, (_, i) => coin((tx + k) * 100 + i)))));
          for (const result of await Promise.allSettled(group)) if (result.status === 'rejected') failures.push(result.reason);
        }
        await store.close();
      });
      expect(failures.length).toBeGreaterThan(0);
      for (const failure of failures) expect(failure).toBeInstanceOf(StoreFullError);
      expect(unhandled).toEqual([]);
    });
  });

  it('on a full disk, refuses to open (no-space) before LMDB writes its lock file or a new database', async () => {
    await onSmallDisk('1m', async (mount) => {
      // A database made while there was room: it keeps its data through all of this.
      const kept = join(mount, 'kept', 'validator.mdb');
      const store = LmdbObjectStore.open({ path: kept });
      await store.commit(batch(1, [coin(100)]));
      await store.close();
      rmSync(`${kept}-lock`); // a reboot's tmp cleaning, an operator
      fill(mount);

      const fresh = join(mount, 'new', 'validator.mdb');
      const error = thrown(() => LmdbObjectStore.open({ path: fresh }));
      expect(error).toBeInstanceOf(StoreOpenError);
      expect(error).toMatchObject({ problem: 'no-space', path: fresh });
      expect((error as Error).message).toContain(`${fresh}-lock`);
      expect(existsSync(fresh)).toBe(false);
      expect(existsSync(`${fresh}-lock`)).toBe(false);

      expect(thrown(() => LmdbObjectStore.open({ path: kept }))).toMatchObject({ name: 'StoreOpenError', problem: 'no-space', path: kept });
      expect(existsSync(`${kept}-lock`)).toBe(false);

      // Room again: the database opens with everything it held.
      execFileSync('sh', ['-c', `rm -f ${mount}/junk-*`]);
      const again = LmdbObjectStore.open({ path: kept });
      expect(await again.readLatest([id(100)])).toEqual([coin(100)]);
      await again.close();
    });
  });

  it('close waits for the batches on their way, then every method refuses with StoreClosedError', async () => {
    const path = await temporaryDatabase();
    const store = LmdbObjectStore.open({ path });
    await store.commit(batch(1, [coin(100)]));
    const inFlight = store.commit(batch(2, [coin(200)]));
    const closing = store.close();
    await expect(inFlight).resolves.toBeUndefined();
    await closing;
    const closed = { name: 'StoreClosedError', path };
    await expect(store.readLatest([id(100)])).rejects.toBeInstanceOf(StoreClosedError);
    await expect(store.readObjects([{ id: id(100), version: 1 }])).rejects.toMatchObject(closed);
    await expect(store.readExecuted(id(1))).rejects.toMatchObject(closed);
    await expect(store.commit(batch(3, [coin(300)]))).rejects.toMatchObject(closed);
    expect(thrown(() => store.stage(batch(3, [coin(300)])))).toMatchObject(closed);
    await expect(store.whenOnDisk([id(2)])).rejects.toMatchObject(closed);
    await expect(store.whenDurable()).rejects.toMatchObject(closed);
    await expect(store.recordChain({ genesisDigest: id(1), genesisEpoch: 0 })).rejects.toMatchObject(closed);
    for (const call of [() => store.chain(), () => store.isEmpty(), () => store.liveObjects(), () => store.executedCount(), () => store.objectVersionCount(), () => store.sizeOnDisk()]) {
      expect(thrown(call)).toMatchObject(closed);
    }
    const tables = store.epochTables;
    for (const call of [() => tables.lastCommitIndex(), () => tables.commit(0), () => tables.pendingCertificates(), () => tables.pendingCount(), () => tables.nextSharedVersions(), () => tables.ownedClaims(), () => tables.committee()]) {
      expect(thrown(call)).toMatchObject(closed);
    }
    await expect(tables.forget([id(1)])).rejects.toMatchObject(closed);
    await expect(tables.recordCommit({ index: 0, digest: 'c0', certificates: [] }, [], new Map())).rejects.toMatchObject(closed);
    await store.close(); // idempotent
    // What landed before the close is there.
    const again = LmdbObjectStore.open({ path });
    expect(await again.readLatest([id(100), id(200)])).toEqual([coin(100), coin(200)]);
    await again.close();
  });

  describe('a damaged record is StoreCorruptError naming its table and key', () => {
    /** A database with one of each record, then damaged by `damage`, then opened again. */
    async function damaged(damage: Parameters<typeof rewrite>[1]): Promise<{ path: string; store: LmdbObjectStore }> {
      const path = await temporaryDatabase();
      const store = LmdbObjectStore.open({ path });
      await store.commit(batch(1, [coin(100)]));
      await store.epochTables.recordCommit({ index: 0, digest: 'commit-0', certificates: [id(1)] }, [], new Map([[id(7), 3]]));
      await store.close();
      await rewrite(path, damage);
      return { path, store: LmdbObjectStore.open({ path }) };
    }
    const cut = (bytes: Buffer | undefined, length: number) => Buffer.from(bytes as Buffer).subarray(0, length);

    it('an effects record, truncated or of another transaction', async () => {
      const { path, store } = await damaged(async (table) => {
        const executed = table('executed');
        await executed.put(idBytes(id(1)), cut(executed.getBinary(idBytes(id(1))), 30));
      });
      await expect(store.readExecuted(id(1))).rejects.toMatchObject({ name: 'StoreCorruptError', path, table: 'executed', key: id(1) });
      await store.close();
      const moved = await damaged(async (table) => {
        const executed = table('executed');
        await executed.put(idBytes(id(9)), executed.getBinary(idBytes(id(1))));
      });
      const error: unknown = await moved.store.readExecuted(id(9)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreCorruptError);
      expect(error).toMatchObject({ table: 'executed', key: id(9) });
      expect((error as Error).message).toContain(id(1));
      await moved.store.close();
    });

    it('an object version and a latest-version entry', async () => {
      const object = await damaged(async (table) => {
        await table('objects').put(objectKey(id(100), 1), Buffer.from([1, 2, 3]));
      });
      await expect(object.store.readLatest([id(100)])).rejects.toMatchObject({ name: 'StoreCorruptError', table: 'objects', key: `0x${objectKey(id(100), 1).toString('hex')}` });
      await object.store.close();
      const latest = await damaged(async (table) => {
        await table('latest').put(idBytes(id(100)), Buffer.from([0, 0, 1]));
      });
      await expect(latest.store.readObjects([{ id: id(100), version: 1 }])).resolves.toEqual([coin(100)]);
      await expect(latest.store.readLatest([id(100)])).rejects.toMatchObject({ name: 'StoreCorruptError', table: 'latest', key: id(100) });
      await latest.store.close();
    });

    it('the epoch tables: a commit, the last commit index, a next shared version, the committee', async () => {
      const commits = await damaged(async (table) => {
        await table('commits').put(Buffer.alloc(8), Buffer.from([0xff, 0x63, 1]));
      });
      expect(thrown(() => commits.store.epochTables.commit(0))).toMatchObject({ name: 'StoreCorruptError', table: 'commits', key: '0x0000000000000000' });
      await commits.store.close();
      const last = await damaged(async (_, root) => {
        await root.put('last-commit-index', Buffer.from([0, 0, 1]));
      });
      expect(thrown(() => last.store.epochTables.lastCommitIndex())).toMatchObject({ name: 'StoreCorruptError', table: 'main', key: 'last-commit-index' });
      // A write that reads it is refused the same way, as a rejection.
      await expect(last.store.epochTables.recordCommit({ index: 1, digest: 'commit-1', certificates: [] }, [], new Map())).rejects.toBeInstanceOf(StoreCorruptError);
      await last.store.close();
      const next = await damaged(async (table) => {
        await table('next-shared').put(idBytes(id(7)), Buffer.from([3]));
      });
      expect(thrown(() => next.store.epochTables.nextSharedVersions())).toMatchObject({ name: 'StoreCorruptError', table: 'next-shared', key: id(7) });
      await next.store.close();
      const committee = await damaged(async (_, root) => {
        await root.put('committee', Buffer.from([1, 2, 3]));
      });
      expect(thrown(() => committee.store.epochTables.committee())).toMatchObject({ name: 'StoreCorruptError', table: 'main', key: 'committee' });
      await committee.store.close();
    });

    it('a pending record rewritten with another certificate is refused, not read as that certificate', async () => {
      const workload = generateWorkload({ seed: 3, transactions: 4, accounts: 3, contention: 0, sign: false });
      const [first, second] = workload.steps.map((step) => step.certificate);
      if (!first || !second) throw new Error('the workload has two steps');
      const path = await temporaryDatabase();
      const store = LmdbObjectStore.open({ path });
      await store.epochTables.recordAccepted([{ certificate: first, commit: undefined, shared: new Map() }]);
      await store.close();
      // Well formed, its digest its own transaction's: only its key says it is not the record accepted.
      await rewrite(path, (table) => table('pending').put(idBytes(first.digest), encodePending({ certificate: second, commit: undefined, shared: new Map() })));
      const reopened = LmdbObjectStore.open({ path });
      const error = thrown(() => reopened.epochTables.pendingCertificates());
      expect(error).toBeInstanceOf(StoreCorruptError);
      expect(error).toMatchObject({ table: 'pending', key: first.digest });
      expect((error as Error).message).toContain(second.digest);
      await reopened.close();
    });
  });
});
