/**
 * `npm run soak:simulate -- --seeds 100000` (or `--minutes 10`): run many
 * seeds of the simulator one after the other, from `--from` (default 1),
 * and report seeds per second as it goes. At the first failure it prints
 * how many seeds it took, shrinks it and prints the minimal run (exit code
 * 1); with `--keep-going` it counts every failure instead and shrinks none.
 */
import { demoOptions } from '../demos/shared/options';
import { SimulationInvariantError, formatFailure, shrinkFailure, simulate } from '../lib/simulation';

const values = demoOptions({
  command: 'npm run soak:simulate',
  summary: 'Run many seeds of the deterministic simulation and report seeds per second; stop at the first failure, shrunk.',
  options: {
    seeds: { type: 'integer', default: 100_000, min: 1, max: 1_000_000_000, help: 'seeds to run' },
    minutes: { type: 'number', default: 0, min: 0, max: 100_000, help: 'run for this long instead (0: run --seeds)' },
    from: { type: 'integer', default: 1, min: 0, max: 4_294_967_295, help: 'first seed' },
    transactions: { type: 'integer', default: 0, min: 0, max: 10_000, help: "transactions per seed (0: each seed's choice)" },
    'keep-going': { type: 'flag', help: 'count every failure instead of stopping at the first' },
  },
});

async function main(): Promise<number> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const until = values.minutes > 0 ? started + values.minutes * 60_000 : Number.POSITIVE_INFINITY;
  const last = values.minutes > 0 ? 4_294_967_295 : Math.min(4_294_967_295, values.from + values.seeds - 1);
  const failures = new Map<string, number[]>();
  let ran = 0;
  let events = 0;
  let reported = started;
  const rate = () => (ran / ((performance.now() - started) / 1000)).toFixed(1);
  for (let seed = values.from; seed <= last && performance.now() < until; seed++) {
    const options = { seed, ...(values.transactions > 0 ? { transactions: values.transactions } : {}) };
    try {
      events += (await simulate(options)).events;
      ran++;
    } catch (error) {
      ran++;
      if (!(error instanceof SimulationInvariantError)) throw error;
      failures.set(error.invariant, [...(failures.get(error.invariant) ?? []), seed]);
      if (!values['keep-going']) {
        console.log(`seed ${seed} failed after ${ran} seeds (${seed - values.from + 1} from seed ${values.from}), ${rate()} seeds/s: ${error.message}`);
        const shrunk = await shrinkFailure(options);
        if (shrunk) console.log(formatFailure(shrunk));
        return 1;
      }
    }
    if (performance.now() - reported >= 10_000) {
      reported = performance.now();
      const failed = [...failures.values()].reduce((sum, seeds) => sum + seeds.length, 0);
      console.log(`${ran.toLocaleString('en-US')} seeds, ${rate()} seeds/s, ${failed} failed`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const failed = [...failures.values()].reduce((sum, seeds) => sum + seeds.length, 0);
  console.log(
    `${ran.toLocaleString('en-US')} seeds from ${values.from} in ${seconds.toFixed(1)} s: ${rate()} seeds/s ` +
      `(${((cpu.user + cpu.system) / 1000 / Math.max(1, ran)).toFixed(1)} ms CPU per seed, ${Math.round(events / Math.max(1, ran))} events per seed), ${failed} failed`,
  );
  for (const [invariant, seeds] of failures) console.log(`  ${invariant}: ${seeds.length} (first ${seeds.slice(0, 10).join(', ')})`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`npm run soak:simulate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
