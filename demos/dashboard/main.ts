/**
 * `npm run demo`: the live validator dashboard. In a terminal it is
 * interactive (keys on the help line); without one (CI, a pipe) it runs a
 * fixed workload, prints a progress line every second and a summary.
 *
 * Options: --transactions N (no terminal; default 20000) --rate N (per second)
 *          --concurrency N --contention 0..1 --seed N --plain (no terminal UI even in a terminal)
 */
import { parseArgs } from 'node:util';
import { runHeadless } from './headless';

const { values } = parseArgs({
  options: {
    transactions: { type: 'string', default: '20000' },
    rate: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '16' },
    contention: { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '7' },
    plain: { type: 'boolean', default: false },
  },
});

const options = {
  ratePerSecond: Number(values.rate),
  maxConcurrentExecutions: Number(values.concurrency),
  contention: Number(values.contention),
  seed: Number(values.seed),
};

async function main(): Promise<void> {
  if (process.stdout.isTTY && process.stdin.isTTY && !values.plain) {
    // A terminal is interactive even where CI is set: Ink would otherwise draw only on exit.
    process.env.CI = 'false';
    // Ink is ESM-only (with top-level await): the interactive view is an ES module.
    const { runInteractive } = await import('./tui.mjs');
    await runInteractive(options);
    return;
  }
  process.exitCode = await runHeadless({ ...options, transactions: Number(values.transactions), transientRate: 0.05, failureRate: 0.01 });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
