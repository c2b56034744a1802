import { type CrashReport, type HarnessEvent, runCrashHarness } from '../../bench/crash/crash-harness';

/** Knobs of the crash demo. */
export interface CrashDemoOptions {
  readonly transactions: number;
  /** SIGKILLs before the run may finish. */
  readonly kills: number;
  readonly seed: number;
  /** Where lines go (the console by default; a test collects them). */
  readonly print: (line: string) => void;
}

export const DEFAULT_CRASH_DEMO: CrashDemoOptions = { transactions: 600, kills: 1, seed: 7, print: (line) => console.log(line) };

const number = (n: number) => n.toLocaleString('en-US');

/** `already-pending ×3, already-executed ×1`. */
function tally(results: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const result of results) counts.set(result, (counts.get(result) ?? 0) + 1);
  return [...counts].map(([result, count]) => `${result} ×${count}`).join(', ');
}

const HOW_KILLED = {
  recovery: 'while it was starting and recovering',
  commits: 'in the middle of the run, while it was committing',
  'between-commits': 'right after a consensus commit was acknowledged',
  'inside-write': 'by itself, inside a write transaction (its writes made, not committed)',
  'during-sync': 'inside a sync of the database (its writes made, not durable)',
  'clean-stop': '',
} as const;

/**
 * Run the durable pipeline in a child process on a temporary database, kill
 * it with SIGKILL mid-run, restart it, and say what each restart recovered
 * and that the final state is the one sequential execution gives. It is the
 * kill -9 harness (bench/crash/) with one kill by default, narrated.
 * Resolves with the harness's report.
 */
export async function runCrashDemo(options: CrashDemoOptions = DEFAULT_CRASH_DEMO): Promise<CrashReport> {
  const { print } = options;
  print(`Crash demo: the durable pipeline in a child process, on a temporary LMDB database; ${number(options.transactions)} transactions (seed ${options.seed}),`);
  print(`owned transfers, shared counters, aborting transactions and duplicates. It is killed with SIGKILL ${options.kills === 1 ? 'once' : `${options.kills} times`}, mid-run.`);
  // Per life: the last commit index the restart recovered, and the commits consensus redelivered at or below it.
  let recoveredIndex = 0;
  let redelivered: { index: number; results: readonly string[] }[] = [];
  const narrate = (event: HarnessEvent): void => {
    switch (event.type) {
      case 'message':
        if (event.message.type === 'committed' && event.message.index <= recoveredIndex) redelivered.push(event.message);
        return;
      case 'life':
        print('');
        print(
          event.life === 1
            ? 'Life 1: starts on an empty database'
            : `Life ${event.life}: restarted. Clients resubmit the ${number(event.owned)} owned certificates they have not seen executed; consensus redelivers from commit ${event.commitsFrom}`,
        );
        return;
      case 'recovered': {
        recoveredIndex = event.report.lastCommitIndex ?? 0;
        redelivered = [];
        if (event.life === 1) return;
        const { reenqueued, alreadyExecuted, lastCommitIndex } = event.report;
        print(`  recovered in ${Math.round(event.ms)} ms: ${number(reenqueued)} certificates re-enqueued (shared ones at the versions consensus first assigned them),`);
        print(`  ${number(alreadyExecuted)} found already executed, last consensus commit index ${lastCommitIndex ?? 'none'}`);
        return;
      }
      case 'ended':
        if (redelivered.length > 0) {
          const indexes = redelivered.map((c) => c.index);
          const results = tally(redelivered.flatMap((c) => c.results));
          print(`  consensus commit${indexes.length === 1 ? '' : 's'} ${indexes.join(', ')} redelivered, already processed: recognised, nothing sequenced again (${results})`);
        }
        if (event.end === 'finished') {
          const unseen = options.transactions - event.executed;
          print(`  ran to the end: all ${number(options.transactions)} transactions executed; the clients saw ${number(event.executed)} executions reported`);
          if (unseen > 0) print(`  (the other ${number(unseen)} executed just before a kill took their report, and were recognised as executed when resubmitted)`);
        }
        else if (event.end !== 'clean-stop') {
          print(`  killed with SIGKILL ${HOW_KILLED[event.end]}: the clients had seen ${number(event.executed)} transactions executed, consensus commit ${event.lastCommit} acknowledged`);
        } else print(`  stopped cleanly, after ${number(event.executed)} executions seen`);
        return;
      case 'audit':
        print(
          event.violations.length === 0
            ? '  the database holds everything acknowledged: every reported execution, every accepted certificate, every acknowledged commit'
            : `  the database lost what was acknowledged: ${event.violations.join('; ')}`,
        );
        return;
    }
  };
  const report = await runCrashHarness({
    kills: options.kills,
    plan: { seed: options.seed, transactions: options.transactions },
    ends: ['commits', 'between-commits', 'inside-write'],
    onEvent: narrate,
  });
  print('');
  print('The final state, checked against sequential execution of the same transactions in commit order:');
  const described: Record<string, (covered: number) => string> = {
    'final objects': (n) => `the ${number(n)} live objects equal expectedFinalObjects, object digest for object digest`,
    'one effects record each': (n) => `each transaction has exactly one effects record, the one sequential execution gives (${number(n)} records, genesis included)`,
    'no version written twice': (n) => `no object version was written twice (${number(n)} versions, each claimed by one transaction)`,
    'nothing left pending': () => 'nothing is left pending',
  };
  for (const check of report.finalChecks) {
    print(`  ${check.violations.length === 0 ? 'yes' : 'NO '}  ${described[check.name]?.(check.covered) ?? check.name}${check.violations.length === 0 ? '' : `: ${check.violations.join('; ')}`}`);
  }
  print('');
  print(
    report.violations.length === 0 && report.finished
      ? `Nothing lost, nothing executed twice: ${report.kills} kill${report.kills === 1 ? '' : 's'}, ${report.lives} lives, ${(report.ms / 1000).toFixed(1)} s.`
      : `Violations (${report.violations.length}): ${report.violations.join('; ')}`,
  );
  return report;
}
