/**
 * Per-certificate overhead of the driver against its peers, in one process,
 * with interleaved rounds: every contender runs the same no-op execution at
 * concurrency 16 on a synchronous burst of N certificates. Each round is
 * timed in wall time and in the process's CPU time (user + system, GC
 * threads included), which moves less when other work shares the machine.
 *
 *   npm run bench            # N = 10k, 100k, 1M
 *   npm run bench -- --quick # N = 10k only (CI smoke run)
 *   npm run bench -- --sizes=100000,1000000
 *   npx tsx bench/driver-overhead.ts --against=/path/to/other/lib[,...]   # adds those builds' drivers, for before/after
 *   npx tsx bench/driver-overhead.ts --only=ExecutionDriver,fastq   # a subset of contenders (by name prefix)
 */
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { PendingCertificate } from '../lib';
import {
  type Contender,
  cardShape,
  cardSkeleton,
  mergeMapSkeleton,
  driver,
  driverContender,
  driverWithMetrics,
  fastqContender,
  naiveMergeMap,
  pLimitContender,
  promisePool,
} from './contenders';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const quick = process.argv.includes('--quick');
const sizesArg = process.argv.find((a) => a.startsWith('--sizes='));
const SIZES = sizesArg ? sizesArg.slice('--sizes='.length).split(',').map(Number) : quick ? [10_000] : [10_000, 100_000, 1_000_000];
const againstArg = process.argv.find((a) => a.startsWith('--against='));
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const roundsArg = process.argv.find((a) => a.startsWith('--rounds='));
const ROUNDS: Record<number, number> = { 10_000: 7, 100_000: 5, 1_000_000: 3 };
/** A contender that has not finished a round within this many ms is cut off. */
const BUDGET_MS = 15_000;

interface Sample {
  /** Wall time per certificate. */
  nsPerCert: number;
  /** Process CPU time (user + system) per certificate. */
  cpuNsPerCert: number;
  completed: number;
}

/**
 * N certificates, shared by every contender and round. Their digests are
 * used as set keys once here: V8 flattens and hashes a string the first time
 * it is a key (hundreds of ns for these), which the TransactionManager's own
 * maps would have done before the driver sees a certificate. Otherwise
 * whichever contender used them first in round one would pay it.
 */
function makeCertificates(n: number): PendingCertificate[] {
  const items = Array.from({ length: n }, (_, i) => ({ certificate: { digest: `0x${i.toString(16).padStart(64, '0')}`, epoch: 0 } }));
  new Set(items.map((item) => item.certificate.digest)).clear();
  return items;
}

/**
 * Time one burst. No collection is forced here: a forced full GC before a
 * run held the driver at ~8 us/cert at 10k against ~1.7 without (it resets
 * what the JIT and the young generation had adapted). Rotating the order each
 * round spreads one contender's leftover garbage over all the others instead.
 */
async function time(contender: Contender, items: readonly PendingCertificate[]): Promise<Sample> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const completed = await contender.start(items, started + BUDGET_MS).finished;
  const wallNs = (performance.now() - started) * 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  return { nsPerCert: wallNs / completed, cpuNsPerCert: ((cpu.user + cpu.system) * 1000) / completed, completed };
}

/**
 * Heap retained per queued certificate, beyond the certificates themselves:
 * weighed right after the synchronous burst, while the backlog is queued.
 */
async function weigh(contender: Contender, items: readonly PendingCertificate[]): Promise<number> {
  // ArrayBuffer backing stores (the driver's arrival times) live outside the JS heap: count them too.
  const used = () => {
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
  gc();
  const before = used();
  const { finished } = contender.start(items, performance.now() + BUDGET_MS);
  gc();
  const retained = used() - before;
  await finished;
  return retained / items.length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const all = [promisePool, cardShape, mergeMapSkeleton, cardSkeleton, driver, driverWithMetrics, naiveMergeMap, await pLimitContender(), fastqContender];
  // Other builds of the driver (checkouts of earlier commits' lib/, say), for before/after in one process.
  for (const dir of againstArg?.slice('--against='.length).split(',') ?? []) {
    const path = resolve(dir);
    all.splice(5, 0, driverContender(`ExecutionDriver (${path})`, false, (await import(path)) as Parameters<typeof driverContender>[2]));
  }
  const only = onlyArg?.slice('--only='.length).split(',');
  // The floor always runs: every other figure is read against it.
  const contenders = only ? all.filter((c) => c === promisePool || only.some((prefix) => c.name.startsWith(prefix))) : all;
  // Warm every contender up (JIT) on unmeasured bursts before the first timed round.
  const warmup = makeCertificates(10_000);
  for (let i = 0; i < 5; i++) for (const contender of contenders) await contender.start(warmup, performance.now() + BUDGET_MS).finished;

  const rows: string[][] = [];
  const perCertAt = new Map<string, Map<number, { wall: number; cpu: number }>>();
  for (const n of SIZES) {
    const items = makeCertificates(n);
    const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
    const rounds = roundsArg ? Number(roundsArg.slice('--rounds='.length)) : (ROUNDS[n] ?? 3);
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round so no contender always runs first (or after a big GC).
      for (let i = 0; i < contenders.length; i++) {
        const contender = contenders[(i + round) % contenders.length];
        if (!contender) continue;
        const timedOut = samples.get(contender.name)?.some((s) => s.completed < n);
        if (timedOut) continue; // one cut-off round is enough to show it
        samples.get(contender.name)?.push(await time(contender, items));
      }
    }
    const retained = new Map<string, number>();
    for (const contender of contenders) {
      if (samples.get(contender.name)?.some((s) => s.completed < n)) continue; // too slow to weigh twice
      // A weighing moves by a few hundred KB either way: at 10k that is tens of bytes a certificate, so take a median.
      const weighings: number[] = [];
      for (let i = 0; i < (n >= 1_000_000 ? 1 : 3); i++) weighings.push(await weigh(contender, items));
      retained.set(contender.name, median(weighings));
    }
    const floorRuns = samples.get(promisePool.name) ?? [];
    const floor = median(floorRuns.map((s) => s.nsPerCert));
    const cpuFloor = median(floorRuns.map((s) => s.cpuNsPerCert));
    for (const contender of contenders) {
      const runs = samples.get(contender.name) ?? [];
      const ns = median(runs.map((s) => s.nsPerCert));
      const cpuNs = median(runs.map((s) => s.cpuNsPerCert));
      const completed = Math.min(...runs.map((s) => s.completed));
      const memory = retained.get(contender.name);
      const cut = completed < n;
      if (!cut) {
        const byN = perCertAt.get(contender.name) ?? new Map<number, { wall: number; cpu: number }>();
        byN.set(n, { wall: ns, cpu: cpuNs });
        perCertAt.set(contender.name, byN);
      }
      const whole = (value: number) => Math.round(value).toLocaleString('en-US');
      rows.push([
        n.toLocaleString('en-US'),
        contender.name,
        cut ? `cut off: ${completed.toLocaleString('en-US')} done in ${BUDGET_MS / 1000} s` : whole(ns),
        cut ? '-' : whole(cpuNs),
        cut ? '-' : `${(ns / floor).toFixed(1)}× / ${(cpuNs / cpuFloor).toFixed(1)}×`,
        whole(1e9 / ns),
        memory === undefined ? '-' : whole(memory),
      ]);
    }
  }
  const header = ['N', 'contender', 'wall ns / cert', 'CPU ns / cert', 'vs floor (wall / CPU)', 'certs / s', 'retained B / queued cert'];
  printTable(header, rows);
  const driverVsFastq = SIZES.map((n) => {
    const ours = perCertAt.get(driver.name)?.get(n);
    const theirs = perCertAt.get(fastqContender.name)?.get(n);
    return ours && theirs ? `${n.toLocaleString('en-US')}: ${(ours.wall / theirs.wall).toFixed(2)} wall, ${(ours.cpu / theirs.cpu).toFixed(2)} CPU` : undefined;
  }).filter((line) => line !== undefined);
  if (driverVsFastq.length > 0) console.log(`\nExecutionDriver / fastq per certificate: ${driverVsFastq.join('; ')}.`);
  if (SIZES.includes(100_000) && SIZES.includes(1_000_000)) {
    console.log('\nLinearity (per-certificate cost at 1M / at 100k, wall and CPU):');
    for (const [name, byN] of perCertAt) {
      const big = byN.get(1_000_000);
      const small = byN.get(100_000);
      console.log(`  ${name}: ${big && small ? `${(big.wall / small.wall).toFixed(2)} wall, ${(big.cpu / small.cpu).toFixed(2)} CPU` : 'n/a (cut off)'}`);
    }
  }
  console.log(
    `\nNode ${process.version}, concurrency 16, no-op execution (resolved promise), after a warm-up of 5 x 10k per contender; medians of rounds in rotating order.`,
  );
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

void main();
