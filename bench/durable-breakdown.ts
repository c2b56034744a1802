/**
 * Where a durable transaction's time goes: one end-to-end run (the workload
 * of bench/durable.ts), durable or in memory, with
 *  - the main thread's utilisation (`performance.eventLoopUtilization`) and
 *    the whole process's CPU (`process.cpuUsage`): what the process spent
 *    beyond the main thread is lmdb-js's writer thread (and GC helpers);
 *  - each commit's latency split into its staging wait (staged until its
 *    group is issued to lmdb-js) and its write (issued until on disk: the
 *    writer thread's transaction and the fsync), and the group sizes.
 *
 *   npx tsx bench/durable-breakdown.ts [--store=durable|memory] [--transactions=N] [--concurrency=N] [--staged=N] [--no-sync]
 * Add `--cpu-prof` to node (NODE_OPTIONS) for a main-thread profile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type CommitBatch, LmdbObjectStore, digestsReady, generateWorkload } from '../lib/validator';
import { endToEndRun } from './end-to-end';
import { fmt, quantile } from './stats';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const storeKind = arg('store', 'durable');
const transactions = Number(arg('transactions', '30000'));
const concurrency = Number(arg('concurrency', '64'));
const sync = !process.argv.includes('--no-sync');
const staged = process.argv.some((a) => a.startsWith('--staged=')) ? Number(arg('staged', '0')) : undefined;

interface Probe {
  stagedAt: Map<string, number>;
  issuedAt: Map<string, number>;
  stagingWait: number[];
  write: number[];
  groups: number[];
}

/** Wrap the store's staging and its group flush to time each commit's two waits. */
function probe(store: LmdbObjectStore): Probe {
  const p: Probe = { stagedAt: new Map(), issuedAt: new Map(), stagingWait: [], write: [], groups: [] };
  const internals = store as unknown as { flush(): void; queue: { batch: CommitBatch }[] };
  const flush = internals.flush.bind(store);
  internals.flush = () => {
    const now = performance.now();
    p.groups.push(internals.queue.length);
    for (const queued of internals.queue) {
      const digest = queued.batch.transactionDigest;
      p.issuedAt.set(digest, now);
      p.stagingWait.push(now - (p.stagedAt.get(digest) ?? now));
    }
    flush();
  };
  const stage = store.stage.bind(store);
  store.stage = (batch: CommitBatch) => {
    p.stagedAt.set(batch.transactionDigest, performance.now());
    return stage(batch).finally(() => p.write.push(performance.now() - (p.issuedAt.get(batch.transactionDigest) ?? performance.now())));
  };
  return p;
}

async function main(): Promise<void> {
  await digestsReady();
  const workload = generateWorkload({ seed: 42, transactions, accounts: 2_000, contention: 0.1, hotCounters: 4, invalidShare: 0.02, sign: false });
  const folder = mkdtempSync(join(tmpdir(), 'soma-breakdown-'));
  try {
    const database = storeKind === 'durable' ? LmdbObjectStore.open({ path: join(folder, 'validator.mdb'), sync }) : undefined;
    const p = database ? probe(database) : undefined;
    const elu = performance.eventLoopUtilization();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const figures = await endToEndRun(workload, { outstanding: 2_000, concurrency, ...(database ? { database } : {}), ...(staged !== undefined ? { maxStagedExecutions: staged } : {}) });
    const wall = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const loop = performance.eventLoopUtilization(elu);
    await database?.close();
    const processCpu = (used.user + used.system) / 1000;
    const mainBusy = loop.active;
    console.log(`${storeKind}, concurrency ${concurrency}${staged !== undefined ? `, at most ${staged} staged without a slot` : ''}: ${fmt(figures.perSecond)} tx/s over ${fmt(wall)} ms; GC ${Math.round(figures.gcShare * 100)} %`);
    console.log(`main thread busy ${fmt(mainBusy)} ms (${Math.round(loop.utilization * 100)} % of wall), process CPU ${fmt(processCpu)} ms (${Math.round((processCpu / wall) * 100)} % of one core); beyond the main thread ${fmt(processCpu - mainBusy)} ms`);
    if (p) {
      const q = (values: number[]) => `p50 ${quantile(values, 0.5).toFixed(2)} ms, p99 ${quantile(values, 0.99).toFixed(2)} ms`;
      console.log(`staging wait ${q(p.stagingWait)}; write (issued to on disk) ${q(p.write)}; ${fmt(p.groups.length)} groups, size p50 ${quantile(p.groups, 0.5)}, p99 ${quantile(p.groups, 0.99)}`);
    }
    // Process CPU is what a loaded machine does not inflate (the main thread's busy time counts its waits for a core).
    console.log(`per transaction: process CPU ${((processCpu / transactions) * 1000).toFixed(0)} µs, main thread busy ${((mainBusy / transactions) * 1000).toFixed(0)} µs`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

void main();
