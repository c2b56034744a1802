/**
 * A long durable run at the demo's rate: the dashboard's pipeline
 * (demos/shared/simulation.ts) on a new LMDB database, fsync on, default V8
 * flags. Every `--interval` seconds it samples the database's size on disk
 * and the heap: in use then (a sawtooth between collections), and as the last
 * full (mark-compact) collection left it, which is what the process holds. At
 * the end it prints the least-squares slope of each over the run's second
 * half: the disk grows with the transactions, the heap stays flat.
 *
 *   npx tsx bench/durable-soak.ts [--minutes 10] [--interval 10] [--rate 2000] [--concurrency 64]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoOptions } from '../demos/shared/options';
import { LmdbObjectStore } from '../lib/validator';
import { Simulation } from '../demos/shared/simulation';
import { fmt, slope } from './stats';

const values = demoOptions({
  command: 'npx tsx bench/durable-soak.ts',
  summary: "A durable run at the demo's rate: the database on disk and the heap, sampled, and the slope of each.",
  options: {
    minutes: { type: 'number', default: 10, min: 0.1, max: 24 * 60, help: 'how long to run' },
    interval: { type: 'number', default: 10, min: 1, max: 600, help: 'seconds between samples' },
    rate: { type: 'integer', default: 2_000, min: 1, max: 1_000_000, help: "transactions generated per second (the demo's)" },
    concurrency: { type: 'integer', default: 64, min: 1, max: 1_024, help: "the driver's concurrency limit (an execution holds its slot until its group's fsync)" },
  },
});

interface Sample {
  readonly seconds: number;
  readonly committed: number;
  readonly diskMiB: number;
  readonly heapMiB: number;
  /** The heap in use just after the last full collection. */
  readonly liveMiB: number;
  readonly rssMiB: number;
}

const MiB = 1024 ** 2;

/** The heap in use as the last full collection left it (read as its entry arrives, right after it). */
const afterFullGc = { heapUsed: Number.NaN };
/** Exported, so held: an observer nothing references is collected, and stops counting. */
export const fullGcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) afterFullGc.heapUsed = process.memoryUsage().heapUsed;
  }
});
fullGcObserver.observe({ entryTypes: ['gc'] });

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'soma-soak-'));
  const simulation = await Simulation.start({
    ratePerSecond: values.rate,
    maxConcurrentExecutions: values.concurrency,
    database: join(folder, 'validator.mdb'),
  });
  const database = simulation.pipeline.database;
  if (!(database instanceof LmdbObjectStore)) throw new Error('not durable on LMDB');
  const started = performance.now();
  const samples: Sample[] = [];
  const sample = (): Sample => {
    const memory = process.memoryUsage();
    return {
      seconds: (performance.now() - started) / 1000,
      committed: simulation.current().committed,
      diskMiB: database.sizeOnDisk() / MiB,
      heapMiB: memory.heapUsed / MiB,
      liveMiB: afterFullGc.heapUsed / MiB,
      rssMiB: memory.rss / MiB,
    };
  };
  console.log(`Durable soak: ${values.minutes} min at ${fmt(values.rate)} transactions/s, concurrency ${values.concurrency}, database ${database.path}`);
  console.log('| elapsed | committed | committed / s | database on disk | heap used | heap after the last full GC | RSS |');
  console.log('|---|---|---|---|---|---|---|');
  const print = (s: Sample, previous: Sample | undefined) => {
    const rate = previous ? (s.committed - previous.committed) / (s.seconds - previous.seconds) : 0;
    console.log(
      `| ${Math.round(s.seconds)} s | ${fmt(s.committed)} | ${fmt(rate)} | ${s.diskMiB.toFixed(1)} MiB | ${s.heapMiB.toFixed(1)} MiB | ${s.liveMiB.toFixed(1)} MiB | ${s.rssMiB.toFixed(0)} MiB |`,
    );
  };
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const s = sample();
      print(s, samples.at(-1));
      samples.push(s);
      if (s.seconds >= values.minutes * 60) {
        clearInterval(timer);
        resolve();
      }
    }, values.interval * 1000);
  });
  const summary = await simulation.stop('drain');
  const last = simulation.current();
  const secondHalf = samples.filter((s) => s.seconds >= (values.minutes * 60) / 2);
  // (No full collection yet: no figure for that sample.)
  const perMinute = (pick: (s: Sample) => number) => slope(secondHalf.map((s) => ({ x: s.seconds / 60, y: pick(s) })).filter((p) => !Number.isNaN(p.y)));
  const lives = secondHalf.map((s) => s.liveMiB).filter((v) => !Number.isNaN(v));
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
  console.log(
    `\nCommitted ${fmt(last.committed)} of ${fmt(last.generated)} generated (${fmt(last.committed / ((performance.now() - started) / 1000))} / s), ${summary.unstarted.length} unstarted; refused calls ${fmt(Object.values(last.refused).reduce((a, b) => a + b, 0))} (retried).`,
  );
  console.log(
    `Second half: database ${signed(perMinute((s) => s.diskMiB))} MiB / min; heap after full GCs ${signed(perMinute((s) => s.liveMiB))} MiB / min (${Math.min(...lives).toFixed(1)} to ${Math.max(...lives).toFixed(1)} MiB); heap in use ${signed(perMinute((s) => s.heapMiB))} MiB / min (a sawtooth); RSS ${signed(perMinute((s) => s.rssMiB))} MiB / min (it counts the database's memory-mapped pages).`,
  );
  console.log(`Node ${process.version}, on this machine.`);
  rmSync(folder, { recursive: true, force: true });
}

void main();
