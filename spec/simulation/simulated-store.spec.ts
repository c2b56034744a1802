import type { CertifiedTransaction } from '../../lib/validator/certificates/certified-transaction';
import { genesisObject } from '../../lib/validator/execution/genesis';
import { StoreConflictError } from '../../lib/validator/storage/object-store';
import { StoreFullError } from '../../lib/validator/storage/store-errors';
import { SimulatedDisk, SimulatedStore, SimulatedStoreFault, SimulationClock, type StoreConditions, type StoreOperation } from '../../lib/simulation';
import { batch } from '../validator/storage/batches';

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const owner = { kind: 'address', address: id(0xa) } as const;
const coin = (n: number, version = 1) => ({ ...genesisObject(id(n), owner, { type: 'coin', balance: BigInt(n) }), version });

/** Fixed latencies, and faults from `fault`. */
function conditions(readMs: number, writeMs: number | (() => number), fault: (operation: StoreOperation) => Error | undefined = () => undefined, readAt: 'call' | 'completion' = 'completion'): StoreConditions {
  return { readLatency: () => readMs, writeLatency: typeof writeMs === 'number' ? () => writeMs : writeMs, fault, readAt };
}

describe('SimulatedStore over a SimulatedDisk', () => {
  it('takes virtual time for each operation, and completes writes in the order they were issued', async () => {
    const clock = new SimulationClock();
    const disk = new SimulatedDisk();
    const latencies = [5, 1];
    const store = new SimulatedStore(disk, clock.root, conditions(2, () => latencies.shift() ?? 1));
    const done: string[] = [];
    void store.commit(batch(100, [coin(1)])).then(() => done.push(`first@${clock.now()}`));
    void store.commit(batch(101, [coin(2)])).then(() => done.push(`second@${clock.now()}`)); // quicker, but after the first
    void store.readLatest([id(1)]).then(([found]) => done.push(`read ${found ? 'found' : 'nothing'}@${clock.now()}`));
    await clock.run({ deadline: 100 });
    expect(done).toEqual(['read nothing@2', 'first@5', 'second@5']);
    expect(disk.executedCount).toBe(2);
  });

  it('reads the disk as it is when the read answers, or as it was when it was called', async () => {
    for (const [readAt, expected] of [
      ['completion', 1],
      ['call', 0],
    ] as const) {
      const clock = new SimulationClock();
      const store = new SimulatedStore(new SimulatedDisk(), clock.root, conditions(5, 1, undefined, readAt));
      void store.commit(batch(100, [coin(1)]));
      const read = store.readLatest([id(1)]);
      await clock.run({ deadline: 100 });
      expect((await read).filter(Boolean)).toHaveLength(expected);
    }
  });

  it('loses every write still on its way when the process is killed, and keeps what completed', async () => {
    const clock = new SimulationClock();
    const disk = new SimulatedDisk();
    const process = clock.root.child();
    const store = new SimulatedStore(disk, process, conditions(1, 3));
    let settled = 0;
    const count = (): void => {
      settled++;
    };
    store.commit(batch(100, [coin(1)])).then(count, count);
    clock.root.after(4, () => {
      store.commit(batch(101, [coin(2)])).then(count, count);
      void store.epochTables.recordEpoch({ epoch: 1, validators: [] }).then(count, count);
    });
    clock.root.after(5, () => process.kill());
    await clock.run({ deadline: 100 });
    expect(settled).toBe(1); // the lost writes never answer, as in a process that is gone
    expect(disk.readExecuted(id(100))).toBeDefined();
    expect(disk.readExecuted(id(101))).toBeUndefined();
    expect(disk.committee()).toBeUndefined();
    // The next process reads what the first one completed.
    const next = new SimulatedStore(disk, clock.root.child(), conditions(1, 1));
    const read = next.readObjects([{ id: id(1), version: 1 }, { id: id(2), version: 1 }]);
    await clock.run({ deadline: 200 });
    expect((await read).map((o) => o?.id)).toEqual([id(1), undefined]);
  });

  it('applies a batch whole or not at all: a conflict or a fault writes nothing', async () => {
    const clock = new SimulationClock();
    const disk = new SimulatedDisk();
    let full = false;
    const store = new SimulatedStore(disk, clock.root, conditions(1, 1, (operation) => (full && operation === 'commit' ? new StoreFullError('simulated-disk') : undefined)));
    const results: unknown[] = [];
    const note = (p: Promise<void>): void => {
      void p.then(
        () => results.push('ok'),
        (error: unknown) => results.push(error),
      );
    };
    note(store.commit(batch(100, [coin(1)])));
    note(store.commit(batch(101, [coin(2), coin(1)]))); // coin 1 version 1 exists: refused whole
    clock.root.after(5, () => {
      full = true;
      note(store.commit(batch(102, [coin(3)])));
    });
    await clock.run({ deadline: 100 });
    expect(results[0]).toBe('ok');
    expect(results[1]).toBeInstanceOf(StoreConflictError);
    expect(results[2]).toBeInstanceOf(StoreFullError);
    expect(disk.liveObjects().map((o) => o.id)).toEqual([id(1)]);
    expect(disk.readExecuted(id(101))).toBeUndefined();
  });

  it('drops the next shared versions and claims of an epoch when another is recorded, as the LMDB tables do', () => {
    const disk = new SimulatedDisk();
    disk.applyEpoch({ epoch: 0, validators: [] });
    disk.applyCommit({ index: 0, digest: 'c0', certificates: [] }, [], new Map([[id(3), 4]]), [{ id: id(1), version: 1, transaction: id(100) }]);
    disk.applyEpoch({ epoch: 0, validators: [] }); // the same epoch again: kept
    expect(disk.nextSharedVersions().size).toBe(1);
    disk.applyEpoch({ epoch: 1, validators: [] });
    expect(disk.nextSharedVersions().size).toBe(0);
    expect(disk.ownedClaims()).toEqual([]);
    expect(disk.lastCommitIndex()).toBe(0);
  });

  it('takes a certificate out of the pending table in its commit batch, as the LMDB store does', async () => {
    const clock = new SimulationClock();
    const disk = new SimulatedDisk();
    const latencies = [1, 3]; // accepted at 1, executed at 3
    const store = new SimulatedStore(disk, clock.root, conditions(1, () => latencies.shift() ?? 1, (operation) => (operation === 'readExecuted' ? new SimulatedStoreFault(operation) : undefined)));
    // The simulated disk keeps a record as given; only the digest matters here.
    const certificate = { digest: id(100), epoch: 0 } as CertifiedTransaction;
    void store.epochTables.recordAccepted([{ certificate, commit: undefined, shared: new Map() }]);
    const pending = () => store.epochTables.pendingCertificates().map((r) => r.certificate.digest);
    const seen: string[][] = [];
    clock.root.after(2, () => seen.push(pending()));
    void store.commit(batch(100, [coin(1)]));
    const read = store.readExecuted(id(100));
    read.catch(() => undefined);
    await clock.run({ deadline: 100 });
    expect(seen).toEqual([[id(100)]]);
    expect(pending()).toEqual([]);
    await expect(read).rejects.toThrow(SimulatedStoreFault); // a transient fault, injected
  });
});
