import type { Workload } from '../../../lib/validator/workload/workload';
import { InMemoryObjectStore, type ObjectStore } from '../../../lib/validator/storage/object-store';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { silentLogger } from '../../support/silent-logger';

/** A store whose every call settles after a random number (0 to 2) of event-loop turns. */
export function delaying(store: ObjectStore, random: () => number): ObjectStore {
  const pause = async () => {
    const turns = Math.floor(random() * 3);
    for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    readObjects: async (keys) => (await pause(), store.readObjects(keys)),
    readLatest: async (ids) => (await pause(), store.readLatest(ids)),
    readExecuted: async (digest) => (await pause(), store.readExecuted(digest)),
    // Delayed apart from `readExecuted`: the state asks both, and a copy may commit between their answers.
    ...(store.isExecuted ? { isExecuted: async (digest: string) => (await pause(), (store.isExecuted as (d: string) => Promise<boolean>).call(store, digest)) } : {}),
    commit: async (batch) => (await pause(), store.commit(batch)),
  };
}

/** Shuffle `items` in place with `random`, and return them. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** A pipeline over an in-memory store whose calls settle after random delays; `memory` is the store underneath. */
export async function startDelayedPipeline(workload: Pick<Workload, 'committee' | 'genesis'>, random: () => number, concurrency: number) {
  const memory = new InMemoryObjectStore();
  const pipeline = await startValidatorPipeline({
    committee: workload.committee,
    genesis: workload.genesis,
    store: delaying(memory, random),
    verifySignatures: false,
    maxConcurrentExecutions: concurrency,
    logger: silentLogger,
  });
  return { memory, pipeline };
}
