/**
 * What the executed-in-epoch markers cost, per transaction of an epoch: with
 * `executedTransactions: 1` the stores keep one effects record, so what grows
 * with the number of transactions committed (batches that write no object)
 * is the marker of each, in memory (the heap of an `InMemoryObjectStore`)
 * and on disk (the file of an `LmdbObjectStore`, executed-order entries
 * pruned too). Then the next epoch's first batch drops them.
 *
 *   npx tsx --expose-gc bench/executed-markers.ts [--transactions=N]
 * (node --expose-gc --import tsx bench/executed-markers.ts for the heap figure)
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommitBatch, InMemoryObjectStore, LmdbObjectStore } from '../lib/validator';
import { batch } from '../spec/validator/storage/batches';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const transactions = Number(arg('transactions', '200000'));

/** A transaction's digest as the pipeline has it: a fresh 0x-prefixed hex string (not interned). */
const digestOf = (n: number, epoch: number) => `0x${createHash('sha256').update(`${epoch}:${n}`).digest('hex')}`;

/** A batch that writes nothing, of the `n`th transaction of `epoch`: what grows with such batches is the marker. */
const batchOf = (n: number, epoch: number): CommitBatch => batch(digestOf(n, epoch), [], [], epoch);

const gc = (globalThis as { gc?: () => void }).gc;
function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

async function inMemory(): Promise<void> {
  const store = new InMemoryObjectStore({ executedTransactions: 1 });
  await store.commit(batchOf(-1, 0));
  const before = heapUsed();
  for (let n = 0; n < transactions; n++) await store.commit(batchOf(n, 0));
  const after = heapUsed();
  await store.commit(batchOf(0, 1)); // the next epoch: the markers go
  const dropped = heapUsed();
  const perTx = (after - before) / transactions;
  console.log(
    `in memory: ${transactions} transactions in the epoch, heap +${((after - before) / 1e6).toFixed(1)} MB (${perTx.toFixed(0)} bytes each)` +
      `${gc ? '' : ' (no --expose-gc: rough)'}; after the next epoch's first batch, +${((dropped - before) / 1e6).toFixed(1)} MB`,
  );
}

async function durable(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'soma-markers-'));
  try {
    const store = LmdbObjectStore.open({ path: join(folder, 'validator.mdb'), executedTransactions: 1, sync: false });
    await store.commit(batchOf(-1, 0));
    await store.whenDurable();
    const before = store.sizeOnDisk();
    // Staged a thousand at a time: group commits, as a running pipeline's.
    for (let n = 0; n < transactions; n += 1_000) {
      const landed: Promise<void>[] = [];
      for (let k = n; k < Math.min(n + 1_000, transactions); k++) landed.push(store.commit(batchOf(k, 0)));
      await Promise.all(landed);
    }
    const after = store.sizeOnDisk();
    const perTx = (after - before) / transactions;
    console.log(`LMDB: ${transactions} transactions in the epoch, file +${((after - before) / 1e6).toFixed(1)} MB (${perTx.toFixed(0)} bytes each; executed records kept: ${store.executedCount()})`);
    await store.commit(batchOf(0, 1));
    console.log(`LMDB: after the next epoch's first batch the file is ${(store.sizeOnDisk() / 1e6).toFixed(1)} MB (LMDB reuses its free pages, it does not shrink)`);
    await store.close();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

void (async () => {
  await inMemory();
  await durable();
})();
