import { serveMetrics } from '../../lib';
import { dashboardRows, progressLine } from '../shared/format';
import { Simulation, type SimulationOptions } from '../shared/simulation';

/** Options of the run without a terminal. */
export interface HeadlessOptions extends SimulationOptions {
  readonly transactions: number;
  readonly print?: (line: string) => void;
}

/**
 * The dashboard without a terminal (CI, pipes): a fixed workload, a progress
 * line every second, a final summary. Resolves with the exit code: 0 when
 * every generated transaction committed and nothing was lost.
 */
export async function runHeadless(options: HeadlessOptions): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const simulation = await Simulation.start(options);
  const server = await serveMetrics({ registry: simulation.registry });
  print(`soma-execution-driver dashboard (no terminal: a fixed run of ${options.transactions.toLocaleString('en-US')} transactions)`);
  print(`metrics: ${server.url}`);
  const started = performance.now();
  const progress = simulation.snapshots$.subscribe((s) => print(progressLine(s, (performance.now() - started) / 1000)));
  try {
    await simulation.runFixed(options.transactions);
    const summary = await simulation.stop('drain');
    const last = simulation.current();
    progress.unsubscribe();
    const seconds = (performance.now() - started) / 1000;
    print(`Finished in ${seconds.toFixed(1)} s: ${last.committed.toLocaleString('en-US')} of ${last.generated.toLocaleString('en-US')} transactions committed, ${summary.unstarted.length} unstarted`);
    for (const [label, value] of dashboardRows(last, [])) if (label !== 'Throughput') print(`  ${label.padEnd(10)} ${value}`);
    return last.committed === options.transactions && summary.unstarted.length === 0 ? 0 : 1;
  } finally {
    progress.unsubscribe();
    await server.close();
  }
}
