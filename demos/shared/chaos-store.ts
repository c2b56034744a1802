import { TransientExecutionError } from '../../lib';
import { type CommitBatch, InMemoryObjectStore, type ObjectKey, type ObjectStore, type StoredObject } from '../../lib/validator';

/** An injected permanent failure: nothing was written. */
export class InjectedFailureError extends Error {}

/**
 * An in-memory store with dials, for demos: a random I/O latency on reads
 * (so executions overlap and in-flight counts mean something), and commits
 * that fail, transiently or for good, at chosen rates. A failed commit writes
 * nothing, as a real store's failed batch would.
 */
export class ChaosStore implements ObjectStore {
  /** Pruned as a validator prunes after checkpoints, so a demo left running keeps a bounded heap. */
  readonly memory = new InMemoryObjectStore({ versionsPerObject: 2, executedTransactions: 50_000 });
  /** Share of commits that fail for good (owned-object transactions only). */
  failureRate = 0;
  /** Share of commits that fail with a transient error (the driver retries). */
  transientRate = 0;

  constructor(
    private readonly random: () => number,
    /** Read latency, uniform in [0, maxLatencyMs). */
    public maxLatencyMs = 2,
  ) {}

  async readObjects(keys: readonly ObjectKey[]): Promise<(StoredObject | undefined)[]> {
    await this.latency();
    return this.memory.readObjects(keys);
  }

  readLatest(ids: readonly string[]): Promise<(StoredObject | undefined)[]> {
    return this.memory.readLatest(ids);
  }

  readExecuted(digest: string): ReturnType<ObjectStore['readExecuted']> {
    return this.memory.readExecuted(digest);
  }

  /** The memory store's markers: what executed in the epoch, whatever its retention pruned. */
  isExecuted(digest: string): Promise<boolean> {
    return this.memory.isExecuted(digest);
  }

  commit(batch: CommitBatch): Promise<void> {
    const roll = this.random();
    if (roll < this.transientRate) return Promise.reject(new TransientExecutionError('injected: store busy, try again'));
    // Only owned-object transactions fail for good: the demo resubmits them, and a shared one
    // would have to go through consensus again.
    if (batch.effects.sharedObjects.length === 0 && roll < this.transientRate + this.failureRate) {
      return Promise.reject(new InjectedFailureError('injected: store write failed'));
    }
    return this.memory.commit(batch);
  }

  private latency(): Promise<void> {
    if (this.maxLatencyMs <= 0) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, this.random() * this.maxLatencyMs));
  }
}
