/**
 * The kill -9 harness. A child process runs the durable pipeline on a seeded
 * workload; the parent plays the clients and consensus (it resubmits what it
 * has not seen executed, and consensus redelivers commits from at or below
 * the last one acknowledged), kills the child with SIGKILL at chosen moments,
 * restarts it, and repeats until the workload is done. After every death it
 * checks that everything acknowledged is on disk; at the end, that the store
 * is what sequential execution gives (crash-audit.ts).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbObjectStore, type RecoveryReport, seededRandom } from '../../lib/validator';
import { AcknowledgedLedger, type FinalCheck, auditAcknowledged, auditFinalState } from './crash-audit';
import { bundleChild } from './child-bundle';
import type { ChildJob, ChildMessage, InjectedFault } from './crash-messages';
import { type LifeEnd, runLife } from './crash-life';
import { type CrashPlan, type CrashPlanOptions, planCrashWorkload, sequentialEffects, writeChildPlan } from './crash-plan';
import { type PowerLoss, SIMULATED_SYNC_US, buildPowerLossShim, losePower } from './power-loss/power-loss';

export type { LifeEnd } from './crash-life';

export const LIFE_ENDS: readonly LifeEnd[] = ['recovery', 'commits', 'between-commits', 'inside-write', 'during-sync', 'clean-stop'];

/** How often each end is chosen. */
const END_WEIGHTS: Readonly<Record<LifeEnd, number>> = { recovery: 0.2, commits: 0.3, 'between-commits': 0.2, 'inside-write': 0.2, 'during-sync': 0.2, 'clean-stop': 0.1 };

/** Options of {@link runCrashHarness}. */
export interface CrashHarnessOptions {
  /** SIGKILLs to deliver, at least (the workload must last that long: see `plan.transactions`). */
  readonly kills: number;
  readonly plan: CrashPlanOptions;
  /** Seed of the harness's own choices (which end, when). Default the plan's seed. */
  readonly seed?: number;
  /** Ends to choose from. Default all of {@link LIFE_ENDS}. */
  readonly ends?: readonly LifeEnd[];
  readonly fault?: InjectedFault;
  /**
   * Simulate a power loss at every death: the child runs under a shim that
   * logs its unsynced writes to the database, and the parent undoes them
   * before the audit (power-loss/). Needs gcc. Default false: a kill alone
   * loses nothing the kernel has, synced or not.
   */
  readonly powerLoss?: boolean;
  /** With `powerLoss`: each sync of the database takes at least this long (µs), as on a slow disk. Default {@link SIMULATED_SYNC_US}. */
  readonly syncUs?: number;
  /** A life with no message for this long has stalled: a violation, and the run ends. Default 20 s. */
  readonly stallMs?: number;
  /** Pipeline calls in flight at once in the child. Default 16. */
  readonly window?: number;
  /** Told of each life, kill and audit (a demo narrates them). */
  readonly onEvent?: (event: HarnessEvent) => void;
}

/** What happened, as it happens. */
export type HarnessEvent =
  | { readonly type: 'life'; readonly life: number; readonly owned: number; readonly commitsFrom: number }
  | { readonly type: 'recovered'; readonly life: number; readonly report: RecoveryReport; readonly ms: number }
  /** Every message the child sent, as it arrived. */
  | { readonly type: 'message'; readonly life: number; readonly message: ChildMessage }
  | {
      readonly type: 'ended';
      readonly life: number;
      readonly end: LifeEnd | 'finished';
      readonly beforeRecovered: boolean;
      readonly executed: number;
      readonly lastCommit: number;
    }
  | { readonly type: 'audit'; readonly life: number; readonly violations: readonly string[]; readonly powerLoss?: PowerLoss };

/** What a run found. `violations` must be empty. */
export interface CrashReport {
  readonly kills: number;
  readonly cleanStops: number;
  readonly lives: number;
  /** How each life ended. */
  readonly ends: Readonly<Record<LifeEnd | 'finished', number>>;
  /** Kills that landed before the child had reported its recovery done. */
  readonly killedBeforeRecovered: number;
  readonly transactions: number;
  readonly commits: number;
  /** Executed outcomes reported again after a restart, with the same effects. */
  readonly reReported: number;
  /** What each restart recovered. */
  readonly recoveries: readonly (RecoveryReport & { readonly ms: number })[];
  /** With `powerLoss`: the unsynced writes undone after the deaths, in all. */
  readonly powerLoss?: PowerLoss;
  /** Whether every step executed. */
  readonly finished: boolean;
  /** The checks of the final state (none if the run did not finish). Their violations are in `violations` too. */
  readonly finalChecks: readonly FinalCheck[];
  readonly violations: readonly string[];
  readonly ms: number;
}


/** Run the harness: kill, restart, audit, until the workload is done (or a stall). */
export async function runCrashHarness(options: CrashHarnessOptions): Promise<CrashReport> {
  const started = performance.now();
  const directory = mkdtempSync(join(tmpdir(), 'soma-crash-'));
  try {
    return await run(options, directory, started);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function run(options: CrashHarnessOptions, directory: string, started: number): Promise<CrashReport> {
  const plan = planCrashWorkload(options.plan);
  const expectedEffects = sequentialEffects(plan.workload);
  const child = bundleChild(directory);
  const database = join(directory, 'validator.mdb');
  const planFile = join(directory, 'plan.json');
  writeChildPlan(plan, planFile);
  const undoLog = join(directory, 'undo.log');
  const shim = options.powerLoss === true ? buildPowerLossShim(directory) : undefined;
  const lifeCommand = shim ? { file: child.file, env: { ...child.env, ...shim.env(database, undoLog, options.syncUs ?? SIMULATED_SYNC_US) } } : child;
  const lost = { undoneWrites: 0, undoneBytes: 0 };
  const random = seededRandom(options.seed ?? options.plan.seed);
  const ledger = new AcknowledgedLedger(plan);
  const violations: string[] = [];
  const ends: Record<LifeEnd | 'finished', number> = { recovery: 0, commits: 0, 'between-commits': 0, 'inside-write': 0, 'during-sync': 0, 'clean-stop': 0, finished: 0 };
  const recoveries: (RecoveryReport & { ms: number })[] = [];
  let kills = 0;
  let killedBeforeRecovered = 0;
  let lastRecoveryMs = 50;
  let finished = false;
  for (let life = 1; !finished; life++) {
    const remainingKills = Math.max(0, options.kills - kills);
    // Once consensus has nothing left to commit, no life can end between commits.
    // A kill inside a sync needs the power-loss shim.
    const possible = (options.ends ?? LIFE_ENDS).filter(
      (e) => (e !== 'between-commits' || ledger.lastCommit < plan.commits.length) && (e !== 'during-sync' || shim !== undefined),
    );
    const end = remainingKills === 0 || possible.length === 0 ? undefined : chooseEnd(random, possible);
    const job = nextJob(plan, ledger, random, { database, planFile }, options, end, remainingKills);
    const jobFile = join(directory, `life-${life}.json`);
    writeFileSync(jobFile, JSON.stringify(job));
    options.onEvent?.({ type: 'life', life, owned: job.owned.length, commitsFrom: job.commitsFrom });
    const budget = lifeBudget(plan, ledger, random, remainingKills);
    rmSync(undoLog, { force: true });
    // A sync covers a group commit of several executions.
    const killAtSync = end === 'during-sync' ? { POWER_LOSS_KILL_AT_SYNC: String(Math.max(1, Math.round(budget.executed / 4))) } : {};
    const outcome = await runLife({ ...lifeCommand, env: { ...lifeCommand.env, ...killAtSync } }, jobFile, {
      end,
      budget,
      recoveryDelayMs: random() * lastRecoveryMs * 1.2,
      stopMode: random() < 0.5 ? 'drain' : 'abort',
      stallMs: options.stallMs ?? 20_000,
      jitterMs: random() * 10,
      onMessage: (message) => {
        ledger.record(message);
        options.onEvent?.({ type: 'message', life, message });
        if (message.type === 'recovered') {
          lastRecoveryMs = message.ms;
          recoveries.push({ ...message.report, ms: message.ms });
          options.onEvent?.({ type: 'recovered', life, report: message.report, ms: message.ms });
        }
      },
    });
    if (outcome.result.end === 'stalled' || outcome.result.end === 'died') {
      violations.push(`life ${life}: ${outcome.result.detail ?? outcome.result.end}`);
    } else {
      ends[outcome.result.end]++;
      if (outcome.result.end !== 'finished' && outcome.result.end !== 'clean-stop') {
        kills++;
        if (!outcome.recovered) killedBeforeRecovered++;
      }
      options.onEvent?.({
        type: 'ended',
        life,
        end: outcome.result.end,
        beforeRecovered: !outcome.recovered,
        executed: ledger.executedSteps,
        lastCommit: ledger.lastCommit,
      });
    }
    const loss = shim ? losePower(database, undoLog) : undefined;
    lost.undoneWrites += loss?.undoneWrites ?? 0;
    lost.undoneBytes += loss?.undoneBytes ?? 0;
    const audit = await auditLife(database, ledger);
    options.onEvent?.({ type: 'audit', life, violations: audit, ...(loss ? { powerLoss: loss } : {}) });
    violations.push(...audit.map((v) => `after life ${life}: ${v}`));
    if (outcome.result.end === 'finished') finished = true;
    else if (outcome.result.end === 'stalled' || outcome.result.end === 'died' || audit.length > 0) break;
  }
  violations.unshift(...ledger.violations);
  let finalChecks: FinalCheck[] = [];
  if (finished) {
    const store = LmdbObjectStore.open({ path: database });
    try {
      finalChecks = await auditFinalState(store, plan, expectedEffects);
    } finally {
      await store.close();
    }
    violations.push(...finalChecks.flatMap((check) => check.violations));
  }
  return {
    kills,
    cleanStops: ends['clean-stop'],
    lives: Object.values(ends).reduce((a, b) => a + b, 0),
    ends,
    killedBeforeRecovered,
    transactions: plan.workload.steps.length,
    commits: plan.commits.length,
    reReported: ledger.reReported,
    recoveries,
    ...(shim ? { powerLoss: lost } : {}),
    finished,
    finalChecks,
    violations,
    ms: performance.now() - started,
  };
}

function chooseEnd(random: () => number, allowed: readonly LifeEnd[]): LifeEnd {
  const total = allowed.reduce((sum, end) => sum + END_WEIGHTS[end], 0);
  let roll = random() * total;
  for (const end of allowed) {
    roll -= END_WEIGHTS[end];
    if (roll < 0) return end;
  }
  return allowed[allowed.length - 1] as LifeEnd;
}

/**
 * How much a life may do before it ends, spread so that the kills asked for
 * fit in the workload: about what is left, shared among the kills left, more
 * or less by a random factor.
 */
function lifeBudget(plan: CrashPlan, ledger: AcknowledgedLedger, random: () => number, remainingKills: number): { executed: number; commits: number; writes: number } {
  // Half a fair share on average: a life runs on for a while after its trigger (the kill's delay, group commits), so
  // fair shares would end the workload before the last kills.
  const share = (left: number) => Math.max(1, Math.round((left / (2 * remainingKills + 1)) * (0.1 + 1.2 * random())));
  const executed = share(plan.workload.steps.length - ledger.executedSteps);
  return { executed, commits: share(plan.commits.length - ledger.lastCommit), writes: executed * 2 };
}

/** The clients resubmit every owned step they have not seen executed; consensus redelivers from up to 3 commits back. */
function nextJob(
  plan: CrashPlan,
  ledger: AcknowledgedLedger,
  random: () => number,
  files: { readonly database: string; readonly planFile: string },
  options: CrashHarnessOptions,
  end: LifeEnd | undefined,
  remainingKills: number,
): ChildJob {
  const { steps } = plan.workload;
  const owned = steps.flatMap((step, i) => (!step.shared && !ledger.executed.has(step.certificate.digest) ? [i] : []));
  const killInsideWrite = end === 'inside-write' ? lifeBudget(plan, ledger, random, remainingKills).writes : undefined;
  return {
    ...files,
    owned,
    ownedDuplicates: plan.ownedDuplicates,
    commitsFrom: Math.max(1, ledger.lastCommit + 1 - Math.floor(random() * 4)),
    window: options.window ?? 16,
    fault: options.fault ?? 'none',
    ...(killInsideWrite === undefined ? {} : { killInsideWrite }),
  };
}

/** Open the database the child left and check it holds everything acknowledged. */
async function auditLife(database: string, ledger: AcknowledgedLedger): Promise<string[]> {
  if (!existsSync(database)) {
    const acknowledged = ledger.executed.size + ledger.accepted.size + ledger.commits.size;
    return acknowledged > 0 ? [`the database is gone, ${acknowledged} acknowledgements with it`] : [];
  }
  let store: LmdbObjectStore;
  try {
    store = LmdbObjectStore.open({ path: database });
  } catch (error) {
    return [`the database cannot be opened: ${String(error)}`];
  }
  try {
    return await auditAcknowledged(store, ledger);
  } finally {
    await store.close();
  }
}
