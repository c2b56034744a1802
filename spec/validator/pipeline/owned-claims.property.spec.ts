import fc from 'fast-check';
import { isCancelled } from '../../../lib/validator/execution/cancelled-execution';
import type { StateEffects } from '../../../lib/validator/model/effects';
import type { InMemoryObjectStore } from '../../../lib/validator/storage/object-store';
import { seededRandom } from '../../../lib/validator/workload/seeded-random';
import { type Workload, generateWorkload } from '../../../lib/validator/workload/workload';
import { startDelayedPipeline, shuffle } from './delayed-pipeline';

/** Wait a random number (0 to `most`) of event-loop turns. */
const turns = async (random: () => number, most: number) => {
  const n = Math.floor(random() * (most + 1));
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

interface Validator {
  readonly memory: InMemoryObjectStore;
  readonly effects: Map<string, StateEffects>;
  /** Effects records committed per transaction. */
  readonly commits: Map<string, number>;
}

/**
 * One validator: its own store and execution delays, its own concurrency, and
 * its own order and timing of the owned certificates submitted; the same
 * consensus commits as every other validator.
 */
async function runValidator(workload: Workload, commits: readonly (readonly number[])[], seed: number, concurrency: number): Promise<Validator> {
  const random = seededRandom(seed);
  const { memory, pipeline } = await startDelayedPipeline(workload, random, concurrency);
  // Executions take a random time: a certificate may run before one sequenced earlier on other objects.
  const execute = pipeline.state.tryExecuteImmediately.bind(pipeline.state);
  pipeline.state.tryExecuteImmediately = async (...args) => {
    await turns(random, 6);
    return execute(...args);
  };
  const validator: Validator = { memory, effects: new Map(), commits: new Map() };
  const all = new Promise<void>((resolve) => {
    pipeline.state.committed$.subscribe(({ certificate, output }) => {
      validator.effects.set(certificate.digest, output.effects);
      validator.commits.set(certificate.digest, (validator.commits.get(certificate.digest) ?? 0) + 1);
      if (validator.commits.size === workload.steps.length) resolve();
    });
  });
  const owned = shuffle(workload.steps.filter((s) => !s.shared).map((s) => s.certificate), random);
  const shared = commits.map((batch) => batch.map((i) => (workload.steps[i] as Workload['steps'][number]).certificate));
  const deliveries: Promise<unknown>[] = [];
  let index = 0;
  while (owned.length > 0 || index < shared.length) {
    if (index < shared.length && (owned.length === 0 || random() < 0.4)) {
      deliveries.push(pipeline.commit({ digest: `commit-${index}`, index, certificates: shared[index] as never }));
      index++;
    } else {
      deliveries.push(pipeline.submit(owned.splice(0, 1 + Math.floor(random() * 3))));
    }
    if (random() < 0.5) await turns(random, 3);
  }
  await Promise.all(deliveries);
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`stalled: ${validator.commits.size} of ${workload.steps.length} committed; ${JSON.stringify(pipeline.manager.counts)}`)), 10_000);
  });
  await Promise.race([all, stalled]).finally(() => clearTimeout(timer));
  await pipeline.stop();
  return validator;
}

describe('owned-input claims: properties', () => {
  it('validators fed the same commits, each with its own execution delays and submission order, end with the same objects and effects, those of sequential execution in commit order', async () => {
    let conflictsCancelled = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.tuple(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 16 })),
        fc.integer({ min: 1, max: 3 }),
        async (seed, [concurrencyA, concurrencyB], hotCounters) => {
          const workload = generateWorkload({
            seed,
            transactions: 30,
            accounts: 1 + (seed % 4),
            contention: 0.6,
            hotCounters,
            invalidShare: 0.1,
            cancelledShare: 0.1,
            conflictShare: 0.5, // a sequenced certificate, and a twin naming the same owned versions on another counter
            sign: false,
          });
          // One consensus order for every validator: the shared steps, in order, cut into commits at random.
          const cut = seededRandom(seed ^ 0xc0);
          const sharedSteps = workload.steps.flatMap((step, i) => (step.shared ? [i] : []));
          const commits: number[][] = [];
          while (sharedSteps.length > 0) commits.push(sharedSteps.splice(0, 1 + Math.floor(cut() * 3)));
          const [a, b] = await Promise.all([runValidator(workload, commits, seed ^ 0xa, concurrencyA), runValidator(workload, commits, seed ^ 0xb, concurrencyB)]);
          const expected = workload.expectedFinalObjects.map((o) => [o.id, o.version, o.digest]);
          for (const validator of [a, b]) {
            expect([...validator.commits.values()].every((n) => n === 1)).toBe(true); // exactly one effects record each
            expect(validator.memory.liveObjects().map((o) => [o.id, o.version, o.digest])).toEqual(expected);
          }
          for (const { certificate } of workload.steps) expect(b.effects.get(certificate.digest)).toEqual(a.effects.get(certificate.digest));
          conflictsCancelled += [...a.effects.values()].filter((effects) => isCancelled(effects)).length;
        },
      ),
      { numRuns: Number(process.env.CLAIMS_PROPERTY_RUNS ?? 100) },
    );
    expect(conflictsCancelled).toBeGreaterThan(0);
  }, 240_000);
});
