/** `npm run demo:crash`: kill -9 the durable pipeline mid-run, restart it, and check nothing was lost (`--help` lists the options). */
import { demoOptions } from '../shared/options';
import { runScenario } from '../shared/scenario';
import { DEFAULT_CRASH_DEMO, runCrashDemo } from './run-crash';

const values = demoOptions({
  command: 'npm run demo:crash',
  summary: 'The durable pipeline in a child process on a temporary database: killed with SIGKILL mid-run, restarted, and its recovery and final state shown.',
  options: {
    transactions: { type: 'integer', default: DEFAULT_CRASH_DEMO.transactions, min: 20, max: 100_000, help: 'transactions in the workload' },
    kills: { type: 'integer', default: DEFAULT_CRASH_DEMO.kills, min: 1, max: 100, help: 'SIGKILLs, each followed by a restart' },
    seed: { type: 'integer', default: DEFAULT_CRASH_DEMO.seed, min: 0, max: 2 ** 31 - 1, help: 'seed of the workload and of when to kill' },
  },
});

runScenario('npm run demo:crash', async () => {
  const report = await runCrashDemo({ ...DEFAULT_CRASH_DEMO, ...values });
  return report.violations.length === 0 && report.finished;
});
