/**
 * `npm run demo`: the live validator dashboard. In a terminal it is
 * interactive (keys on the help line); without one (CI, a pipe) it runs a
 * fixed workload, prints a progress line every second and a summary. Both
 * start from the same dials (`--help` lists them).
 */
import { demoOptions } from '../shared/options';
import { PIPELINE_OPTIONS, simulationOptions } from '../shared/pipeline-options';
import { StoreOpenError } from '../../lib/validator';
import { DatabaseInUseError } from '../shared/simulation';
import { runHeadless } from './headless';

const values = demoOptions({
  command: 'npm run demo',
  summary: 'The live validator dashboard: interactive in a terminal; without one (or with --plain), a fixed run that exits 0 when every transaction committed.',
  options: {
    ...PIPELINE_OPTIONS,
    transactions: { type: 'integer', default: 20_000, min: 1, max: 100_000_000, help: 'transactions of the fixed run (no terminal, or --plain)' },
    plain: { type: 'flag', help: 'the fixed run even in a terminal' },
  },
});

async function main(): Promise<void> {
  const options = simulationOptions(values);
  if (process.stdout.isTTY && process.stdin.isTTY && !values.plain) {
    // A terminal is interactive even where CI is set: Ink would otherwise draw only on exit.
    process.env.CI = 'false';
    // Ink is ESM-only (with top-level await): the interactive view is an ES module.
    const { runInteractive } = await import('./tui.mjs');
    await runInteractive(options);
    return;
  }
  process.exitCode = await runHeadless({ ...options, transactions: values.transactions });
}

main().catch((error: unknown) => {
  // A database that cannot be used is a usage error: one line, as a wrong option is.
  if (error instanceof DatabaseInUseError || error instanceof StoreOpenError) {
    process.stderr.write(`npm run demo: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  console.error(error);
  process.exitCode = 1;
});
