import { InvalidOptionError } from '../errors';
import { GENESIS_TRANSACTION } from '../validator/execution/genesis';
import { digestsReady } from '../validator/model/digests';
import { EpochController } from './epoch-controller';
import { type SimulationInvariant, SimulationBusyError, SimulationInvariantError } from './errors';
import { replayCommand } from './replay-command';
import { type PlannedFault, type SimulationScenario, scenarioFor } from './scenario';
import { SimulatedClient } from './simulated-client';
import { SimulatedConsensus } from './simulated-consensus';
import { SimulatedDisk } from './simulated-disk';
import { type ProcessLifetime, SimulatedNode, type SimulatedStateFactory } from './simulated-node';
import { type SimulatedStep, simulatedWorkload } from './simulated-workload';
import { SimulationClock } from './simulation-clock';
import { SimulationRandom } from './simulation-random';
import { SimulationTrace, short, stateDigest } from './simulation-trace';
import type { SimulationWorld } from './simulation-world';
import { SimulatedStoreConditions } from './store-conditions';
import { virtualiseGlobals } from './virtual-globals';

/** Options of {@link simulate}. Only the seed is needed; the rest narrows or replaces what the seed decides. */
export interface SimulateOptions {
  /** Decides everything: workload, limits, latencies, traffic, faults. An integer from 0 to 2^32 − 1. */
  readonly seed: number;
  /** Transactions in the workload (default: the seed's choice, 8 to 30). */
  readonly transactions?: number;
  /** Epochs the workload spans (default: the seed's choice, 1 to 3). */
  readonly epochs?: number;
  /** Keep only the seed's planned faults at these indices (a shrunk failure's replay). Default: all of them. */
  readonly faults?: readonly number[];
  /**
   * Build the `AuthorityState` each simulated process runs on, over that
   * process's store (default: the reference state). Keep time on
   * `context.clock`, never on real timers.
   */
  readonly createState?: SimulatedStateFactory;
}

/** What happened when, for drawing a run. */
export interface SimulationTimeline {
  readonly processes: readonly ProcessLifetime[];
  /** When each workload certificate committed (virtual ms), in order. */
  readonly executedAtMs: readonly number[];
  readonly epochChangesAtMs: readonly number[];
}

/** What a run that broke no invariant reports. */
export interface SimulationResult {
  readonly seed: number;
  readonly scenario: SimulationScenario;
  /** The faults that were planned (after the `faults` option's selection), with their indices in the seed's plan. */
  readonly faults: readonly { readonly index: number; readonly fault: PlannedFault }[];
  /** SHA-256 over every line of the trace: two runs are the same run when these are equal. */
  readonly traceDigest: string;
  /** SHA-256 over the final live objects (id, version, digest). */
  readonly finalStateDigest: string;
  readonly trace: readonly string[];
  /** Outcomes the drivers gave, over all processes. */
  readonly outcomes: number;
  /** Virtual time at the end (ms). */
  readonly virtualTimeMs: number;
  /** Events the loop ran. */
  readonly events: number;
  /** What happened, counted by kind (crashes, refusals, retries, faults injected, ...), keys sorted. */
  readonly counts: Readonly<Record<string, number>>;
  readonly timeline: SimulationTimeline;
}

/**
 * Virtual time a run may go without progress, once the traffic has arrived
 * and the last planned fault is over, before it is a liveness failure (ms).
 * Progress is a workload certificate committing: a big workload that still
 * executes is slow, not stalled, and each commit buys it this much more
 * (there are finitely many, so the run still ends).
 */
const QUIET_PERIOD_MS = 3_000;

let running = false;

/**
 * Run the whole validator (TransactionManager, ExecutionDriver, state and a
 * durable store) on one seeded virtual-time loop: store latencies,
 * execution times, client submissions and retries, consensus commits, epoch
 * changes, stops, crashes and restarts, live limit changes and store faults,
 * all drawn from the seed. Invariants are checked as the run goes; the first
 * one broken ends it with a {@link SimulationInvariantError} carrying the
 * seed, the virtual time, the trace so far and the command that replays it.
 * The same options give the same run, byte for byte, in any process.
 *
 * Certificates are unsigned: the pipeline runs with `verifySignatures:
 * false`, so the door still checks each certificate's canonical bytes and
 * digest but no signature (crypto would make a thousand seeds take minutes;
 * signatures have their own tests).
 *
 * @throws SimulationInvariantError when the run breaks an invariant.
 * @throws InvalidOptionError for options out of range; SimulationBusyError while another run is in progress.
 */
export async function simulate(options: SimulateOptions): Promise<SimulationResult> {
  checkOptions(options);
  if (running) throw new SimulationBusyError();
  running = true;
  try {
    await digestsReady(); // before virtual time starts: its compilation takes real time
    return await run(options);
  } finally {
    running = false;
  }
}

async function run(options: SimulateOptions): Promise<SimulationResult> {
  const { seed } = options;
  const scenario = scenarioFor(seed, { ...(options.transactions === undefined ? {} : { transactions: options.transactions }), ...(options.epochs === undefined ? {} : { epochs: options.epochs }) });
  const faults = scenario.faults.map((fault, index) => ({ index, fault })).filter(({ index }) => options.faults?.includes(index) ?? true);
  const workload = simulatedWorkload(scenario);
  const clock = new SimulationClock();
  const trace = new SimulationTrace(() => clock.now());
  const disk = new SimulatedDisk();
  const counts = new Map<string, number>();
  let violation: { invariant: SimulationInvariant; detail: string; at: number } | undefined;
  const world: SimulationWorld = {
    clock,
    trace,
    disk,
    scenario,
    workload,
    fail: (invariant, detail) => {
      if (violation) return;
      violation = { invariant, detail, at: clock.now() };
      trace.record(`VIOLATION ${invariant}: ${detail}`);
    },
    random: (stream) => new SimulationRandom(seed, stream),
    count: (what, by = 1) => counts.set(what, (counts.get(what) ?? 0) + by),
  };
  const conditions = new SimulatedStoreConditions(scenario, () => clock.now(), world.random('store latency'), world.random('store faults'));
  // (the node checks, at each crash, what the client and consensus were told; they listen to the node)
  const node: SimulatedNode = new SimulatedNode(world, conditions, options.createState, (): string | undefined => lostCertificate(world, client, consensus));
  const client: SimulatedClient = new SimulatedClient(world, node);
  const consensus: SimulatedConsensus = new SimulatedConsensus(world, node);
  const epochs = new EpochController(world, node, consensus);
  let executed = 0;
  const executedAtMs: number[] = [];
  let finishing = false;
  disk.onCommitted = (batch) => {
    if (batch.transactionDigest === GENESIS_TRANSACTION) return;
    const step = workload.stepOf.get(batch.transactionDigest);
    trace.record(`disk: committed ${short(batch.transactionDigest)}${step ? '' : ' (not in the workload)'}`);
    if (!step) {
      world.fail('unexplained-failure', `a transaction outside the workload committed: ${short(batch.transactionDigest)}`);
      return;
    }
    executed++;
    executedAtMs.push(clock.now());
    epochs.executed(step.epoch);
  };
  for (const { index, fault } of faults) {
    clock.root.after(fault.atMs, () => {
      if (!finishing) applyFault(world, node, conditions, index, fault);
    });
  }
  trace.record(
    `seed ${seed}: ${workload.steps.length} transactions (${workload.steps.filter((s) => s.shared).length} shared) over ${scenario.workload.epochs} epoch(s), ` +
      `${scenario.workload.accounts} accounts, limit ${scenario.pipeline.maxConcurrentExecutions}, ${faults.length} fault(s) planned`,
  );
  for (const step of workload.steps) trace.record(`step ${step.index}: ${short(step.certificate.digest)}, ${step.shared ? 'shared' : 'owned'}, epoch ${step.epoch}`);
  const onUnhandled = (reason: unknown) => {
    world.fail('unexpected-error', `unhandled rejection: ${reason instanceof Error ? reason.stack ?? reason.message : String(reason)}`);
  };
  process.on('unhandledRejection', onUnhandled);
  const restoreGlobals = virtualiseGlobals(() => clock.now(), seededMathRandom(seed));
  let end: Awaited<ReturnType<SimulationClock['run']>>;
  try {
    node.start();
    const lastFault = Math.max(0, ...faults.map(({ fault }) => faultEnd(fault)));
    const trafficOver = Math.max(client.lastArrivalMs, consensus.lastArrivalMs, lastFault);
    end = await clock.run({
      deadline: () => Math.max(trafficOver, executedAtMs[executedAtMs.length - 1] ?? 0) + QUIET_PERIOD_MS,
      afterEach: () => {
        node.afterEvent();
        epochs.check();
        // (again, if an operator's restart cut the final stop short)
        if (executed === workload.steps.length && node.phase === 'up') {
          finishing = true;
          trace.record('every certificate executed: final stop');
          node.stop('drain', 0, true);
        }
      },
      stopped: () => violation !== undefined,
      done: () => node.finished,
    });
  } catch (error) {
    world.fail('unexpected-error', `an event threw: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    end = 'stopped';
  } finally {
    restoreGlobals();
    process.off('unhandledRejection', onUnhandled);
    clock.clear();
  }
  if (!violation && end !== 'done') {
    const waiting = workload.steps.filter((step) => !disk.readExecuted(step.certificate.digest));
    const manager = node.pipeline?.manager;
    world.fail(
      'liveness',
      `${waiting.length} of ${workload.steps.length} certificates never executed (${end}; first ${waiting
        .slice(0, 5)
        .map((step) => `${short(step.certificate.digest)} (${step.shared ? 'shared' : 'owned'}, ${waitsFor(disk, step)})`)
        .join(', ')}); validator ${node.phase}${manager ? `, manager ${JSON.stringify(manager.counts)}` : ''}`,
    );
  }
  if (!violation) {
    const difference = firstDifference(disk.liveObjects(), workload.expectedFinalObjects);
    if (difference) world.fail('final-state', difference);
  }
  if (violation) {
    throw new SimulationInvariantError(violation.invariant, seed, violation.at, violation.detail, trace.lines, replayCommand(options));
  }
  trace.record(`end: ${executed} executed, final state ${stateDigest(disk.liveObjects()).slice(0, 16)}`);
  for (const [operation, injected] of conditions.injected) world.count(`store faults ${operation}`, injected);
  return {
    seed,
    scenario,
    faults,
    traceDigest: trace.digest(),
    finalStateDigest: stateDigest(disk.liveObjects()),
    trace: trace.lines,
    outcomes: [...counts].filter(([name]) => name.startsWith('outcome ')).reduce((sum, [, n]) => sum + n, 0),
    virtualTimeMs: clock.now(),
    events: clock.events,
    counts: Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : 1))),
    timeline: { processes: node.lifetimes, executedAtMs, epochChangesAtMs: epochs.changesAtMs },
  };
}

function applyFault(world: SimulationWorld, node: SimulatedNode, conditions: SimulatedStoreConditions, index: number, fault: PlannedFault): void {
  const { trace } = world;
  switch (fault.kind) {
    case 'crash':
      trace.record(`fault ${index}: crash, restart after ${fault.restartAfterMs.toFixed(3)} ms`);
      node.crash(fault.restartAfterMs, `fault ${index}`);
      return;
    case 'stop':
      trace.record(`fault ${index}: stop (${fault.mode}), restart after ${fault.restartAfterMs.toFixed(3)} ms`);
      node.stop(fault.mode, fault.restartAfterMs);
      return;
    case 'store-faults':
      trace.record(`fault ${index}: store faults for ${fault.forMs.toFixed(3)} ms, p ${fault.probability}, in ${fault.operations.join(' ') || 'nothing'}`);
      conditions.addWindow(fault.forMs, fault.probability, fault.operations);
      return;
    case 'disk-full':
      trace.record(`fault ${index}: disk full for ${fault.repairAfterMs.toFixed(3)} ms`);
      conditions.diskFull = true;
      world.clock.root.after(fault.repairAfterMs, () => {
        conditions.diskFull = false;
        trace.record(`fault ${index}: disk space freed`);
        node.crash(1, 'operator restart after freeing space');
      });
      return;
    case 'concurrency':
      trace.record(`fault ${index}: concurrency limit ${fault.limit}`);
      world.count('limit changes');
      node.setLimit(fault.limit);
      return;
    case 'pause':
      trace.record(`fault ${index}: pause ${fault.forMs.toFixed(3)} ms`);
      node.pause(fault.forMs);
      return;
  }
}

/** When a planned fault's effect is over (ms). */
function faultEnd(fault: PlannedFault): number {
  switch (fault.kind) {
    case 'crash':
    case 'stop':
      return fault.atMs + fault.restartAfterMs;
    case 'store-faults':
    case 'pause':
      return fault.atMs + fault.forMs;
    case 'disk-full':
      return fault.atMs + fault.repairAfterMs;
    case 'concurrency':
      return fault.atMs;
  }
}

/** Something acknowledged to a client or consensus that is neither executed nor pending on disk, described. */
function lostCertificate(world: SimulationWorld, client: SimulatedClient, consensus: SimulatedConsensus): string | undefined {
  const { disk } = world;
  for (const [who, acknowledged] of [
    ['a submit', client.acknowledged],
    ['a commit', consensus.acknowledged],
  ] as const) {
    for (const digest of acknowledged) {
      if (!disk.readExecuted(digest) && !disk.isPending(digest)) return `certificate ${short(digest)}, acknowledged by ${who}, is neither executed nor pending on disk`;
    }
  }
  return undefined;
}

/** The first way `actual` differs from `expected` (id, version and digest of each live object), or undefined. */
function firstDifference(actual: readonly { id: string; version: number; digest: string }[], expected: readonly { id: string; version: number; digest: string }[]): string | undefined {
  const expectedById = new Map(expected.map((object) => [object.id, object]));
  for (const object of actual) {
    const wanted = expectedById.get(object.id);
    if (!wanted) return `object ${short(object.id)} is live, sequential execution deletes it or never creates it`;
    if (wanted.version !== object.version || wanted.digest !== object.digest) {
      return `object ${short(object.id)} is at version ${object.version} (${short(object.digest)}), sequential execution gives version ${wanted.version} (${short(wanted.digest)})`;
    }
    expectedById.delete(object.id);
  }
  const [missing] = expectedById.values();
  return missing ? `object ${short(missing.id)} version ${missing.version} is missing` : undefined;
}

/** What a step still needs that is not on disk (its owned inputs and gas at their versions), or that it could run. */
function waitsFor(disk: SimulatedDisk, step: SimulatedStep): string {
  const { data } = step.certificate;
  const refs = [...data.inputs.flatMap((input) => (input.kind === 'shared' ? [] : [input.ref])), data.gas.payment];
  const missing = refs.filter((ref) => !disk.hasObject(ref.id, ref.version)).map((ref) => `${short(ref.id)} v${ref.version}, latest v${disk.readLatest(ref.id)?.version ?? '-'}`);
  return missing.length > 0 ? `needs ${missing.join('; ')}` : 'its owned inputs exist';
}

function seededMathRandom(seed: number): () => number {
  const random = new SimulationRandom(seed, 'Math.random');
  return () => random.float();
}

function checkOptions(options: SimulateOptions): void {
  // Typed as an object, but JavaScript callers may pass anything.
  if (typeof options !== 'object' || (options as SimulateOptions | null) === null) throw new InvalidOptionError('options', options, 'an object with at least a seed');
  const { seed, transactions, epochs, faults, createState } = options as Partial<SimulateOptions>;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) throw new InvalidOptionError('seed', seed, 'an integer from 0 to 4294967295');
  if (transactions !== undefined && !(Number.isInteger(transactions) && transactions >= 1 && transactions <= 10_000)) {
    throw new InvalidOptionError('transactions', transactions, 'an integer from 1 to 10,000');
  }
  if (epochs !== undefined && !(Number.isInteger(epochs) && epochs >= 1 && epochs <= 10)) throw new InvalidOptionError('epochs', epochs, 'an integer from 1 to 10');
  if (faults !== undefined && (!Array.isArray(faults) || !faults.every((i) => Number.isInteger(i) && i >= 0))) {
    throw new InvalidOptionError('faults', faults, 'an array of fault indices (integers >= 0)');
  }
  if (createState !== undefined && typeof createState !== 'function') throw new InvalidOptionError('createState', createState, 'a function (context) => AuthorityState');
}
