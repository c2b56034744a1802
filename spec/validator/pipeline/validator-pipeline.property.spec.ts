import { isCancelled } from '../../../lib/validator/execution/cancelled-execution';
import fc from 'fast-check';
import { MissingInputError } from '../../../lib/validator/errors';
import { seededRandom } from '../../../lib/validator/workload/seeded-random';
import { startDelayedPipeline, shuffle } from './delayed-pipeline';
import { generateWorkload } from '../../../lib/validator/workload/workload';
import { ownedRefsOf } from '../../../lib/validator/execution/reference-epoch-store';

describe('validator pipeline: properties', () => {
  it('ends in the state of sequential execution in commit order, executing each certificate once, never before its inputs exist', async () => {
    let cancelled = 0;
    let heldThenSequenced = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 64 }),
        fc.constantFrom(0, 0.1, 0.5),
        async (seed, concurrency, contention) => {
          const random = seededRandom(seed ^ 0x5eed);
          const workload = generateWorkload({
            seed,
            transactions: 30,
            accounts: 1 + (seed % 6),
            contention,
            invalidShare: 0.1,
            cancelledShare: 0.3, // sequenced certificates with a spent or mismatched owned input: cancelled
            duplicateShare: 0.15,
            sign: false,
          });
          const { memory, pipeline } = await startDelayedPipeline(workload, random, concurrency);
          // Assert inside the state: an execution that finds an input missing is a release bug.
          const missing: string[] = [];
          const execute = pipeline.state.tryExecuteImmediately.bind(pipeline.state);
          pipeline.state.tryExecuteImmediately = async (...args) => {
            try {
              return await execute(...args);
            } catch (error) {
              if (error instanceof MissingInputError) missing.push(error.message);
              throw error;
            }
          };
          const commits = new Map<string, number>();
          const all = new Promise<void>((resolve) => {
            pipeline.state.committed$.subscribe(({ certificate, output }) => {
              if (isCancelled(output.effects)) cancelled++;
              commits.set(certificate.digest, (commits.get(certificate.digest) ?? 0) + 1);
              if (commits.size === workload.steps.length) resolve();
            });
          });

          // Deliver: owned certificates shuffled, shared ones in consensus commits in order, duplicates mixed in.
          const owned = shuffle(workload.steps.filter((s) => !s.shared).map((s) => s.certificate), random);
          const shared = workload.steps.filter((s) => s.shared).map((s) => s.certificate);
          // Owned versions a sequenced certificate names: an owned certificate naming none may also be sequenced without
          // changing who wins a version (claims), so the sequential state stays the expected one.
          const claimable = new Set(shared.flatMap((c) => ownedRefsOf(c.data).map((ref) => `${ref.id}@${ref.version}`)));
          const deliveries: Promise<unknown>[] = [];
          let commitIndex = 0;
          while (owned.length > 0 || shared.length > 0) {
            if (shared.length > 0 && (owned.length === 0 || random() < 0.3)) {
              const batch = shared.splice(0, 1 + Math.floor(random() * 3));
              deliveries.push(pipeline.commit({ digest: `commit-${commitIndex}`, index: commitIndex++, certificates: batch }));
            } else {
              const batch = owned.splice(0, 1 + Math.floor(random() * 4));
              deliveries.push(pipeline.submit(batch));
              // Submitted, then sequenced too (a client that also sends to consensus): consensus output, executed once.
              const alsoSequenced = batch.filter((c) => random() < 0.3 && ownedRefsOf(c.data).every((ref) => !claimable.has(`${ref.id}@${ref.version}`)));
              if (alsoSequenced.length > 0) {
                const answered = pipeline.commit({ digest: `commit-${commitIndex}`, index: commitIndex++, certificates: alsoSequenced });
                deliveries.push(answered.then((results) => (heldThenSequenced += results.filter((r) => r === 'already-pending').length)));
              }
            }
            if (random() < 0.3) await new Promise((resolve) => setImmediate(resolve));
          }
          const duplicates = workload.duplicates.filter((c) => !c.data.inputs.some((i) => i.kind === 'shared'));
          deliveries.push(pipeline.submit(duplicates));
          await Promise.all(deliveries);
          // A run that stalls fails here, saying how far it got, not at the suite's timeout.
          let timer: NodeJS.Timeout | undefined;
          const stalled = new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              reject(new Error(`stalled: ${commits.size} of ${workload.steps.length} committed; ${JSON.stringify(pipeline.manager.counts)}`));
            }, 10_000);
          });
          await Promise.race([all, stalled]).finally(() => clearTimeout(timer));
          await pipeline.stop();

          expect(missing).toEqual([]);
          expect([...commits.values()].every((n) => n === 1)).toBe(true);
          expect(memory.liveObjects().map((o) => [o.id, o.version, o.digest])).toEqual(
            workload.expectedFinalObjects.map((o) => [o.id, o.version, o.digest]),
          );
        },
      ),
      { numRuns: Number(process.env.PIPELINE_PROPERTY_RUNS ?? 200) },
    );
    expect(cancelled).toBeGreaterThan(0); // the runs did cancel some
    expect(heldThenSequenced).toBeGreaterThan(0); // and sequenced some held from a submit
  }, 120_000);
});
