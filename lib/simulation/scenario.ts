import type { StopMode } from '../execute-certificates';
import type { AdmissionLimits } from '../validator/manager/transaction-manager';
import type { StoreOperation } from './errors';
import { type DurationProfile, SimulationRandom } from './simulation-random';

/**
 * A fault planned at a virtual time. Faults are what shrinking drops: a
 * failing run is replayed without each in turn, and kept without it if it
 * still fails.
 * - `crash`: the process dies at once (what it had not written is lost) and starts again later;
 * - `stop`: a graceful `pipeline.stop()` (drain or abort), then a start;
 * - `store-faults`: for a while, store operations fail at random with a transient fault;
 * - `disk-full`: from then on every write fails (`StoreFullError`), until an operator frees space and restarts the process;
 * - `concurrency`: the driver's limit is changed live;
 * - `pause`: the driver is paused for a while.
 */
export type PlannedFault =
  | { readonly kind: 'crash'; readonly atMs: number; readonly restartAfterMs: number }
  | { readonly kind: 'stop'; readonly atMs: number; readonly mode: StopMode; readonly restartAfterMs: number }
  | { readonly kind: 'store-faults'; readonly atMs: number; readonly forMs: number; readonly probability: number; readonly operations: readonly StoreOperation[] }
  | { readonly kind: 'disk-full'; readonly atMs: number; readonly repairAfterMs: number }
  | { readonly kind: 'concurrency'; readonly atMs: number; readonly limit: number }
  | { readonly kind: 'pause'; readonly atMs: number; readonly forMs: number };

/** Everything a seed decides about a run before it starts. */
export interface SimulationScenario {
  readonly seed: number;
  readonly workload: {
    readonly transactions: number;
    readonly accounts: number;
    /** Epochs the workload spans: each but the last ends with a reconfiguration. */
    readonly epochs: number;
    readonly contention: number;
    readonly hotCounters: number;
    readonly invalidShare: number;
    /** Accounts merge received coins once they hold this many (certificates then wait for objects not created yet). */
    readonly mergeReceivedCoins: number | undefined;
    /** Share of certificates a client sends twice. */
    readonly duplicateShare: number;
    /** Share of shared-counter transactions naming an owned input that can never be read as named: executed as cancelled. */
    readonly cancelledShare: number;
    /** Share of shared-counter transactions followed by a twin naming the same owned versions (`WorkloadOptions.conflictShare`): the twin is cancelled at sequencing. */
    readonly conflictShare: number;
  };
  readonly pipeline: {
    readonly maxConcurrentExecutions: number;
    readonly limits: Required<AdmissionLimits>;
    readonly retry: { readonly maxAttempts: number; readonly initialDelayMs: number };
  };
  readonly store: { readonly read: DurationProfile; readonly write: DurationProfile; readonly readAt: 'call' | 'completion' };
  /** How long an execution computes, before its store reads. */
  readonly execution: DurationProfile;
  readonly traffic: {
    /** Mean gap between two transactions' arrival at their client (ms). */
    readonly meanGapMs: number;
    /** Chance that a client sends the next certificates with this one, in one call. */
    readonly batchChance: number;
    /** Chance that a certificate reaches the validator late (after its successors), and by how much at most (ms). */
    readonly lateChance: number;
    readonly lateMs: number;
    /** Mean delay before a client sends again what was refused or handed back (ms). */
    readonly retryMeanMs: number;
    /** Consensus forms a commit this often (ms), of at most this many certificates. */
    readonly commitIntervalMs: number;
    readonly maxCommitSize: number;
    /** Chance that, after a restart, consensus delivers the last processed commit again. */
    readonly redeliverChance: number;
  };
  readonly faults: readonly PlannedFault[];
}

/** What a caller may fix instead of the seed's choice. */
export interface ScenarioShape {
  readonly transactions?: number;
  readonly epochs?: number;
}

const ALL_OPERATIONS: readonly StoreOperation[] = ['readObjects', 'readLatest', 'readExecuted', 'commit', 'epoch-tables'];

/**
 * The scenario a seed stands for: workload, limits, latencies, traffic and
 * a fault plan, all drawn from the seed (small, so that a thousand seeds run
 * in seconds). The same seed and shape always give the same scenario.
 */
export function scenarioFor(seed: number, shape: ScenarioShape = {}): SimulationScenario {
  const random = new SimulationRandom(seed, 'scenario');
  const transactions = random.int(8, 30);
  const epochs = random.chance(0.3) ? random.int(2, 3) : 1;
  const workload = {
    transactions: shape.transactions ?? transactions,
    accounts: random.int(3, 8),
    epochs: shape.epochs ?? epochs,
    contention: random.pick([0, 0.2, 0.5]),
    hotCounters: random.int(1, 2),
    invalidShare: random.pick([0, 0.1]),
    mergeReceivedCoins: random.chance(0.3) ? 2 : undefined,
    duplicateShare: random.pick([0, 0.1]),
    // From a stream of its own: the draws above and below, and so every seed's earlier scenario, stay as they were.
    cancelledShare: new SimulationRandom(seed, 'cancelled').pick([0, 0.2, 0.5]),
    conflictShare: new SimulationRandom(seed, 'conflict').pick([0, 0.2, 0.5]),
  };
  const maxConcurrentExecutions = random.int(1, 8); // drawn first, as it always was
  const drawn = {
    maxPendingAndExecuting: random.pick([4, 16, 1_000]),
    maxPerObjectQueue: random.pick([2, 8, 1_000]),
    maxQueueAgeMs: random.pick([20, 100, 1_000]),
    maxAwaitingCreation: random.pick([1, 4, 100]),
    maxAwaitingCreationAgeMs: random.pick([30, 200, 2_000]),
  };
  const pipeline = {
    maxConcurrentExecutions,
    // The past-limit budget follows the ones drawn (no draw of its own: seeds keep the runs they had).
    limits: { ...drawn, maxPastLimit: drawn.maxAwaitingCreation, maxPastLimitAgeMs: drawn.maxAwaitingCreationAgeMs },
    retry: { maxAttempts: random.int(1, 4), initialDelayMs: random.between(0.5, 5) },
  };
  const store = {
    read: { meanMs: random.between(0.02, 1), spikeChance: 0.02, spikeFactor: 20 },
    write: { meanMs: random.between(0.05, 2), spikeChance: 0.02, spikeFactor: 20 },
    readAt: random.pick(['call', 'completion'] as const),
  };
  const execution = { meanMs: random.between(0.02, 1), spikeChance: 0.05, spikeFactor: 10 };
  const traffic = {
    meanGapMs: random.between(0.2, 3),
    batchChance: random.pick([0, 0.2, 0.5]),
    lateChance: random.pick([0, 0.15, 0.3]),
    lateMs: random.between(2, 30),
    retryMeanMs: random.between(1, 10),
    commitIntervalMs: random.between(0.5, 5),
    maxCommitSize: random.int(1, 4),
    redeliverChance: 0.5,
  };
  // Faults fall while the traffic arrives, and a little after.
  // (from the seed's own length: a shorter workload, when shrinking, keeps the faults where they were)
  const span = transactions * traffic.meanGapMs + 20;
  const faults: PlannedFault[] = [];
  const count = random.int(0, 6);
  for (let i = 0; i < count; i++) faults.push(plannedFault(random, random.between(0, span)));
  faults.sort((a, b) => a.atMs - b.atMs);
  return { seed, workload, pipeline, store, execution, traffic, faults };
}

function plannedFault(random: SimulationRandom, atMs: number): PlannedFault {
  const kind = random.pick(['crash', 'crash', 'crash', 'stop', 'stop', 'store-faults', 'store-faults', 'store-faults', 'disk-full', 'concurrency', 'concurrency', 'pause'] as const);
  switch (kind) {
    case 'crash':
      return { kind, atMs, restartAfterMs: random.between(0.5, 20) };
    case 'stop':
      return { kind, atMs, mode: random.pick(['drain', 'abort'] as const), restartAfterMs: random.between(0.5, 20) };
    case 'store-faults':
      return {
        kind,
        atMs,
        forMs: random.between(1, 30),
        probability: random.pick([0.1, 0.3, 0.7]),
        operations: ALL_OPERATIONS.filter(() => random.chance(0.6)),
      };
    case 'disk-full':
      return { kind, atMs, repairAfterMs: random.between(2, 30) };
    case 'concurrency':
      return { kind, atMs, limit: random.int(1, 8) };
    case 'pause':
      return { kind, atMs, forMs: random.between(1, 20) };
  }
}
