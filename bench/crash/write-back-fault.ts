/**
 * A deliberately broken store, for proving the crash harness can fail: it
 * acknowledges a commit at once and writes it `delayMs` later (a write-back
 * cache), answering reads from what it has not written yet so the pipeline
 * runs on as if nothing were wrong. A SIGKILL in that window loses commits
 * the pipeline already reported executed.
 */
import type { CommitBatch, ExecutedRecord, LmdbObjectStore, ObjectKey, StoredObject } from '../../lib/validator';

export function acknowledgeBeforeWriting(store: LmdbObjectStore, delayMs: number): void {
  const unwritten = new Map<string, CommitBatch>();
  const objects = new Map<string, StoredObject>();
  const latest = new Map<string, StoredObject>();
  const real = {
    commit: store.commit.bind(store),
    readObjects: store.readObjects.bind(store),
    readLatest: store.readLatest.bind(store),
    readExecuted: store.readExecuted.bind(store),
  };
  store.commit = (batch) => {
    unwritten.set(batch.transactionDigest, batch);
    for (const object of batch.written) {
      objects.set(`${object.id}@${object.version}`, object);
      if ((latest.get(object.id)?.version ?? -1) < object.version) latest.set(object.id, object);
    }
    setTimeout(() => {
      void real.commit(batch).finally(() => unwritten.delete(batch.transactionDigest)).catch(() => undefined);
    }, delayMs);
    return Promise.resolve();
  };
  store.readObjects = async (keys: readonly ObjectKey[]) => {
    const found = await real.readObjects(keys);
    return keys.map((key, i) => found[i] ?? objects.get(`${key.id}@${key.version}`));
  };
  store.readLatest = async (ids) => {
    const found = await real.readLatest(ids);
    return ids.map((id, i) => {
      const cached = latest.get(id);
      const stored = found[i];
      return cached && (!stored || stored.version < cached.version) ? cached : stored;
    });
  };
  store.readExecuted = async (digest): Promise<ExecutedRecord | undefined> => {
    const batch = unwritten.get(digest);
    return batch ? { effects: batch.effects, events: batch.events } : real.readExecuted(digest);
  };
}
