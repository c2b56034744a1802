/**
 * Per-certificate overhead of the driver against its peers, in one process,
 * with interleaved rounds: every contender runs the same no-op execution at
 * concurrency 16 on a synchronous burst of N certificates.
 *
 *   npm run bench            # N = 10k, 100k, 1M
 *   npm run bench -- --quick # N = 10k only (CI smoke run)
 *   npm run bench -- --sizes=100000,1000000
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { PendingCertificate } from '../lib';
import {
  type Contender,
  cardShape,
  driver,
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
const ROUNDS: Record<number, number> = { 10_000: 7, 100_000: 5, 1_000_000: 3 };
/** A contender that has not finished a round within this many ms is cut off. */
const BUDGET_MS = 15_000;

interface Sample {
  nsPerCert: number;
  completed: number;
}

function makeCertificates(n: number): PendingCertificate[] {
  return Array.from({ length: n }, (_, i) => ({ certificate: { digest: `0x${i.toString(16).padStart(64, '0')}`, epoch: 0 } }));
}

/**
 * Time one burst. No collection is forced here: a forced full GC before a
 * run held the driver at ~8 us/cert at 10k against ~1.7 without (it resets
 * what the JIT and the young generation had adapted). Rotating the order each
 * round spreads one contender's leftover garbage over all the others instead.
 */
async function time(contender: Contender, items: readonly PendingCertificate[]): Promise<{ nsPerCert: number; completed: number }> {
  const started = performance.now();
  const completed = await contender.start(items, started + BUDGET_MS).finished;
  return { nsPerCert: ((performance.now() - started) * 1e6) / completed, completed };
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
  const contenders = [promisePool, cardShape, driver, driverWithMetrics, naiveMergeMap, await pLimitContender(), fastqContender];
  // Warm every contender up (JIT) on unmeasured bursts before the first timed round.
  const warmup = makeCertificates(10_000);
  for (let i = 0; i < 5; i++) for (const contender of contenders) await contender.start(warmup, performance.now() + BUDGET_MS).finished;

  const rows: string[][] = [];
  const perCertAt = new Map<string, Map<number, number>>();
  for (const n of SIZES) {
    const items = makeCertificates(n);
    const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
    const rounds = ROUNDS[n] ?? 3;
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
      retained.set(contender.name, await weigh(contender, items));
    }
    const floor = median((samples.get(promisePool.name) ?? []).map((s) => s.nsPerCert));
    for (const contender of contenders) {
      const runs = samples.get(contender.name) ?? [];
      const ns = median(runs.map((s) => s.nsPerCert));
      const completed = Math.min(...runs.map((s) => s.completed));
      const memory = retained.get(contender.name);
      const cut = completed < n;
      if (!cut) {
        const byN = perCertAt.get(contender.name) ?? new Map<number, number>();
        byN.set(n, ns);
        perCertAt.set(contender.name, byN);
      }
      rows.push([
        n.toLocaleString('en-US'),
        contender.name,
        cut ? `cut off: ${completed.toLocaleString('en-US')} done in ${BUDGET_MS / 1000} s` : Math.round(ns).toLocaleString('en-US'),
        cut ? '-' : Math.round(ns - floor).toLocaleString('en-US'),
        cut ? '-' : `${(ns / floor).toFixed(1)}×`,
        Math.round(1e9 / ns).toLocaleString('en-US'),
        memory === undefined ? '-' : Math.round(memory).toLocaleString('en-US'),
      ]);
    }
  }
  const header = ['N', 'contender', 'ns / cert', 'overhead vs floor (ns)', 'vs floor', 'certs / s', 'retained B / queued cert'];
  printTable(header, rows);
  if (SIZES.includes(100_000) && SIZES.includes(1_000_000)) {
    console.log('\nLinearity (ns/cert at 1M / ns/cert at 100k):');
    for (const [name, byN] of perCertAt) {
      const ratio = (byN.get(1_000_000) ?? Number.NaN) / (byN.get(100_000) ?? Number.NaN);
      console.log(`  ${name}: ${Number.isNaN(ratio) ? 'n/a (cut off)' : ratio.toFixed(2)}`);
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
