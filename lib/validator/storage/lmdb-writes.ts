import type { Database, Key } from 'lmdb';

/** A table of the store's file, as writes address it. */
export type Table = Database<Buffer>;

/** One write of a batch, as lmdb-js will apply it. */
export interface TableWrite {
  readonly table: Table;
  readonly key: Key;
  /** The value to put; undefined: remove the key. */
  readonly value: Buffer | undefined;
  /**
   * How to undo it, should the batch fail while it is issued: `remove` the
   * key (it was not there), put a `Buffer` back (what was on disk), or
   * `keep` (writing it is harmless whether the batch lands or not).
   */
  readonly undo: 'remove' | 'keep' | Buffer;
}

/** A key that must not exist when the batch is applied (a transaction's executed record). */
export interface AbsentKey {
  readonly table: Table;
  readonly key: Key;
}

/**
 * Issue `writes` as lmdb-js asynchronous writes, conditional (if `absent` is
 * given) on its key not existing when lmdb-js's writer thread applies them.
 * Resolves once they are on disk: true if they landed, false if the key
 * existed (and then nothing of the batch was written).
 *
 * lmdb-js applies the writes issued in one event turn (or while the previous
 * transaction commits) in one LMDB transaction, and commits and flushes it
 * on its writer thread: the batches issued together share one transaction
 * and one fsync (group commit). The check runs there too, in order, so a
 * batch is checked against every batch before it, on disk or not, without a
 * read on the main thread. There is no JavaScript callback inside
 * the write transaction and no nested transaction per batch.
 *
 * If issuing one write throws, the ones already issued are undone, inside
 * the same conditions and transaction, so the batch leaves no trace; then it
 * throws. Rejects if the transaction fails, and then none of its writes landed.
 */
export function issueBatch(absent: AbsentKey | undefined, writes: readonly TableWrite[]): Promise<boolean> {
  let thrown: { error: unknown } | undefined;
  let last: Promise<boolean> | undefined;
  const apply = (): void => {
    let issued = 0;
    try {
      for (; issued < writes.length; issued++) last = issueWrite(writes[issued] as TableWrite);
    } catch (error) {
      thrown = { error };
      for (let i = issued - 1; i >= 0; i--) undoWrite(writes[i] as TableWrite);
    }
  };
  // A condition's promise settles when its transaction is on disk; so do the unconditional writes'.
  let settled: Promise<boolean> | undefined;
  if (absent) settled = absent.table.ifNoExists(absent.key, apply);
  else {
    apply();
    settled = last;
  }
  if (thrown) {
    void settled?.catch(() => undefined);
    void last?.catch(() => undefined);
    throw thrown.error;
  }
  return settled ?? Promise.resolve(true);
}

function issueWrite({ table, key, value }: TableWrite): Promise<boolean> {
  return value === undefined ? table.remove(key) : table.put(key, value);
}

function undoWrite({ table, key, undo }: TableWrite): void {
  if (undo === 'keep') return;
  // Settles with the transaction; the batch's error is what the caller gets.
  void (undo === 'remove' ? table.remove(key) : table.put(key, undo)).catch(() => undefined);
}
