import { isCancelled } from '../../../lib/validator/execution/cancelled-execution';
import fc from 'fast-check';
import type { CertifiedTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { InMemoryObjectStore } from '../../../lib/validator/storage/object-store';
import { seededRandom } from '../../../lib/validator/workload/seeded-random';
import type { AdmissionLimits, AdmissionLoad } from '../../../lib/validator/manager/transaction-manager';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { generateWorkload } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { ResubmittingClient, until } from '../resubmitting-client';

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

const limitsArbitrary: fc.Arbitrary<Required<AdmissionLimits>> = fc.record({
  maxPendingAndExecuting: fc.integer({ min: 1, max: 20 }),
  maxPerObjectQueue: fc.integer({ min: 1, max: 10 }),
  maxQueueAgeMs: fc.integer({ min: 0, max: 40 }),
  maxAwaitingCreation: fc.integer({ min: 1, max: 10 }),
  maxAwaitingCreationAgeMs: fc.integer({ min: 1, max: 40 }),
  maxPastLimit: fc.integer({ min: 1, max: 10 }),
  maxPastLimitAgeMs: fc.integer({ min: 1, max: 40 }),
});

describe('admission control: properties', () => {
  it('whatever the limits and the submission order, a resubmitting client gets every certificate executed once, to the sequential state, within the budgets', async () => {
    let cancelled = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        limitsArbitrary,
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(0, 0.2),
        fc.integer({ min: 0, max: 4 }),
        async (seed, limits, mergeAt, contention, maxRetryDelayMs) => {
          const random = seededRandom(seed ^ 0xad31);
          // Random DAGs: payments creating coins, merges of received coins, shared counters, aborts.
          const workload = generateWorkload({ seed, transactions: 30, accounts: 2 + (seed % 4), contention, invalidShare: 0.1, cancelledShare: 0.3, mergeReceivedCoins: mergeAt, sign: false });
          const memory = new InMemoryObjectStore();
          const pipeline = await startValidatorPipeline({
            committee: workload.committee,
            genesis: workload.genesis,
            store: memory,
            verifySignatures: false,
            maxConcurrentExecutions: 1 + (seed % 8),
            logger: silentLogger,
            limits,
          });
          const commits = new Map<string, number>();
          const overBudget: AdmissionLoad[] = [];
          const checkBudgets = () => {
            const { load, counts } = pipeline.manager;
            const held = load.ordinary + load.awaitingCreation + load.pastLimit + load.consensus;
            if (
              load.ordinary > limits.maxPendingAndExecuting ||
              load.awaitingCreation > limits.maxAwaitingCreation ||
              load.pastLimit > 2 * limits.maxPastLimit || // maxPastLimit to run, and as many waiting
              held !== counts.pending + counts.executing
            ) {
              overBudget.push(load);
            }
          };
          pipeline.state.committed$.subscribe(({ certificate, output }) => {
            if (isCancelled(output.effects)) cancelled++;
            commits.set(certificate.digest, (commits.get(certificate.digest) ?? 0) + 1);
            checkBudgets();
          });
          const client = new ResubmittingClient(pipeline, () => Math.floor(random() * (maxRetryDelayMs + 1)));

          // Owned certificates in random order and batches; shared ones in commits in order, some sequenced twice.
          const owned = shuffle(workload.steps.filter((s) => !s.shared).map((s) => s.certificate), random);
          const shared = workload.steps.filter((s) => s.shared).map((s) => s.certificate);
          const sequenced: CertifiedTransaction[] = [];
          let commitIndex = 0;
          while (owned.length > 0 || shared.length > 0) {
            if (shared.length > 0 && (owned.length === 0 || random() < 0.3)) {
              const batch = shared.splice(0, 1 + Math.floor(random() * 3));
              if (sequenced.length > 0 && random() < 0.4) batch.splice(Math.floor(random() * (batch.length + 1)), 0, sequenced[Math.floor(random() * sequenced.length)] as CertifiedTransaction);
              if (random() < 0.2) batch.push(batch[0] as CertifiedTransaction); // twice in the same commit
              sequenced.push(...batch);
              await pipeline.commit({ digest: `commit-${commitIndex}`, index: commitIndex++, certificates: batch });
            } else {
              void client.submit(owned.splice(0, 1 + Math.floor(random() * 3)));
            }
            checkBudgets();
            if (random() < 0.3) await new Promise((resolve) => setImmediate(resolve));
          }
          await until(
            () => commits.size === workload.steps.length,
            () => `${commits.size} of ${workload.steps.length} committed; ${JSON.stringify(pipeline.manager.counts)} ${JSON.stringify(pipeline.manager.load)}; ${client.refusals} refusals, ${client.handBacks} hand-backs`,
            10_000,
          );
          // Late duplicates of executed shared certificates change nothing either.
          await pipeline.commit({ digest: `commit-${commitIndex}`, index: commitIndex, certificates: sequenced.slice(0, 3) });
          client.stop();
          const summary = await pipeline.stop();

          expect(overBudget).toEqual([]);
          expect([...commits.values()].every((n) => n === 1)).toBe(true);
          expect(summary.heldByManager).toEqual([]);
          expect(memory.liveObjects().map((o) => [o.id, o.version, o.digest])).toEqual(workload.expectedFinalObjects.map((o) => [o.id, o.version, o.digest]));
        },
      ),
      { numRuns: Number(process.env.ADMISSION_PROPERTY_RUNS ?? 60) },
    );
    expect(cancelled).toBeGreaterThan(0); // the runs did cancel some
  }, 240_000);
});
