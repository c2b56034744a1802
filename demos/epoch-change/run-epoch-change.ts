import { serveMetrics } from '../../lib';
import { type ScenarioEnd, endScenario } from '../shared/scenario';
import { Simulation } from '../shared/simulation';

const n = (value: number) => value.toLocaleString('en-US');

/**
 * An epoch change mid-run, as a validator does it: stop taking new work,
 * drain what is pending and executing, reconfigure to the next committee,
 * then certificates of the old epoch are refused (wrong-epoch) while the new
 * epoch's flow.
 */
export async function runEpochChange(print: (line: string) => void, end: ScenarioEnd = {}): Promise<{ epoch: number; staleRefused: number; committed: number; generated: number }> {
  const simulation = await Simulation.start({ ratePerSecond: 2_000, contention: 0.2, maxConcurrentExecutions: 64, maxLatencyMs: 20 });
  const started = performance.now();
  const at = () => `${((performance.now() - started) / 1000).toFixed(2).padStart(5)}s`;
  const state = () => {
    const s = simulation.current();
    return `epoch ${s.epoch} · committed ${n(s.committed)} · in manager ${n(s.manager.pending + s.manager.executing)} · in flight ${s.driver.inFlight}`;
  };
  const events = simulation.events$.subscribe((event) => print(`${at()}  ${event.padEnd(66)} ${state()}`));
  const metrics = await serveMetrics({ registry: simulation.registry });
  print(`metrics: ${metrics.url}`);
  print('Epoch change mid-run: 2,000 transactions/s, 20 % on shared counters, store reads of up to 20 ms, concurrency 64.');
  print('');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  print(`${at()}  ${'running'.padEnd(66)} ${state()}`);
  await simulation.changeEpoch();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  print(`${at()}  ${'running in the new epoch'.padEnd(66)} ${state()}`);
  const generated = simulation.generator.generated;
  await simulation.runFixed(generated);
  await simulation.stop('drain');
  events.unsubscribe();
  const s = simulation.current();
  print('');
  print(`Epoch ${s.epoch}: ${n(s.deduped['wrong-epoch'])} certificates of epoch ${s.epoch - 1} refused as wrong-epoch after the switch;`);
  print(`${n(s.committed)} of ${n(s.generated)} transactions committed across both epochs; nothing was pending when the committee changed.`);
  await endScenario(metrics, print, end);
  return { epoch: s.epoch, staleRefused: s.deduped['wrong-epoch'], committed: s.committed, generated: s.generated };
}
