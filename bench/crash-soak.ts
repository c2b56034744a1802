/**
 * `npm run soak:crash [-- --kills 100]`: the kill -9 soak. A child process
 * runs the durable pipeline on a seeded workload and is killed with SIGKILL
 * again and again (bench/crash/crash-harness.ts); prints the kills, the
 * transactions and the violations, which must be 0 (exit code 1 otherwise).
 */
import { demoOptions } from '../demos/shared/options';
import { type CrashReport, type HarnessEvent, runCrashHarness } from './crash/crash-harness';

const values = demoOptions({
  command: 'npm run soak:crash',
  summary: 'Kill -9 soak: the durable pipeline in a child process, SIGKILLed and restarted until a seeded workload is done, then checked.',
  options: {
    kills: { type: 'integer', default: 100, min: 1, max: 100_000, help: 'SIGKILLs to deliver, at least' },
    transactions: { type: 'integer', default: 0, min: 0, max: 1_000_000, help: 'transactions in the workload (0: 40 per kill)' },
    seed: { type: 'integer', default: 1, min: 0, max: 2 ** 31 - 1, help: 'seed of the workload and of when to kill' },
    'power-loss': { type: 'flag', help: 'undo every unsynced write to the database after each death, as a power cut would (needs gcc)' },
    'no-sync': { type: 'flag', help: 'break it on purpose: the store opened with sync: false (with --power-loss, violations expected)' },
    'overlapping-sync': { type: 'flag', help: "lmdb-js's overlappingSync back on (lmdb-js 3.5 still syncs before a commit resolves: no violation expected)" },
    verbose: { type: 'flag', help: 'print every life' },
  },
});

const number = (n: number) => n.toLocaleString('en-US');
const transactions = values.transactions === 0 ? values.kills * 40 : values.transactions;

function narrate(event: HarnessEvent): void {
  if (event.type === 'ended') {
    const when = event.beforeRecovered && event.end !== 'finished' ? ' (before it had recovered)' : '';
    console.log(`  life ${String(event.life).padStart(4)}: ${event.end}${when}; ${number(event.executed)} of ${number(transactions)} seen executed, last commit acknowledged ${event.lastCommit}`);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function summary(report: CrashReport): string[] {
  const { ends } = report;
  const reenqueued = report.recoveries.map((r) => r.reenqueued);
  return [
    `Kills ${number(report.kills)}: during recovery ${ends.recovery}, during commits ${ends.commits}, between consensus commits ${ends['between-commits']}, inside a write transaction ${ends['inside-write']}, inside a sync ${ends['during-sync']}` +
      ` (${report.killedBeforeRecovered} landed before the child had recovered); clean stops ${report.cleanStops}; lives ${report.lives}`,
    `Transactions ${number(report.transactions)} (shared ones in ${number(report.commits)} consensus commits), all executed: ${report.finished ? 'yes' : 'NO'}; executed outcomes reported again after a restart: ${report.reReported}`,
    ...(report.powerLoss ? [`Power loss simulated at every death: ${number(report.powerLoss.undoneWrites)} unsynced writes undone (${number(report.powerLoss.undoneBytes)} bytes)`] : []),
    `Restarts recovered: re-enqueued median ${median(reenqueued)}, max ${Math.max(0, ...reenqueued)}; start and recovery median ${median(report.recoveries.map((r) => r.ms)).toFixed(0)} ms`,
    `Violations: ${report.violations.length}`,
    ...report.violations.map((v) => `  - ${v}`),
    `(${(report.ms / 1000).toFixed(1)} s)`,
  ];
}

async function main(): Promise<void> {
  const extras = [values['power-loss'] ? 'a power loss at every death' : '', values['no-sync'] ? 'sync: false (broken on purpose)' : '', values['overlapping-sync'] ? 'overlappingSync on' : ''].filter(Boolean);
  console.log(`Crash soak: at least ${number(values.kills)} SIGKILLs, ${number(transactions)} transactions, seed ${values.seed}${extras.length > 0 ? `; ${extras.join('; ')}` : ''}`);
  const report = await runCrashHarness({
    kills: values.kills,
    plan: { seed: values.seed, transactions },
    powerLoss: values['power-loss'],
    fault: values['no-sync'] ? 'no-sync' : values['overlapping-sync'] ? 'overlapping-sync' : 'none',
    ...(values.verbose ? { onEvent: narrate } : {}),
  });
  for (const line of summary(report)) console.log(line);
  process.exitCode = report.violations.length === 0 && report.finished && report.kills >= values.kills ? 0 : 1;
}

void main();
