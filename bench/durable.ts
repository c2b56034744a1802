/**
 * Durable (LMDB, fsync on) against in memory, side by side in one process,
 * with V8's default flags:
 *  - end to end: the same workload under sustained load (clients keep at most
 *    2,000 certificates outstanding), in memory and durable at concurrency 64,
 *    and durable at 1,024 (more slots on top of the up to 1,024 staged
 *    executions that wait for their group's fsync without one), rotating
 *    round by round; throughput, the ratio to in memory, and
 *    each one's share of time in GC pauses;
 *  - the durable store's commit latency under that load, p50 and p99;
 *  - recovery after a crash with 100,000 accepted-but-unexecuted certificates
 *    (bench/durable-recovery.ts): until recovered, and until all executed.
 * The 10-minute run at the demo's rate is bench/durable-soak.ts.
 *
 *   npx tsx bench/durable.ts [--quick]
 *   npx tsx bench/durable.ts --only=durable|memory [--transactions=N]   one end-to-end run, for a whole-process comparison
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommitBatch, LmdbObjectStore, type Workload, digestsReady, generateWorkload } from '../lib/validator';
import { measureRecovery } from './durable-recovery';
import { type EndToEndFigures, endToEndRun } from './end-to-end';
import { fmt, median, quantile, withRange } from './stats';

const quick = process.argv.includes('--quick');
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const given = process.argv.find((arg) => arg.startsWith('--transactions='))?.slice('--transactions='.length);
const TRANSACTIONS = given !== undefined ? Number(given) : quick ? 3_000 : 50_000;
const ROUNDS = quick ? 1 : 5;
const PENDING = quick ? 3_000 : 100_000;
const OUTSTANDING = 2_000;
/** The wider concurrency the durable pipeline is also run at. */
const WIDE = 1_024;
const percent = (share: number) => `${Math.round(share * 100)} %`;

/** One durable run on a fresh database, each commit's latency (ms) recorded. */
async function durableRun(workload: Workload, latencies: number[], concurrency = 64): Promise<EndToEndFigures & { databaseBytes: number }> {
  const folder = mkdtempSync(join(tmpdir(), 'soma-bench-'));
  try {
    const database = LmdbObjectStore.open({ path: join(folder, 'validator.mdb') });
    const stage = database.stage.bind(database);
    // Timed from staging (the outputs readable) to the promise settling: the wait for the group's fsync included.
    database.stage = (batch: CommitBatch) => {
      const started = performance.now();
      return stage(batch).finally(() => latencies.push(performance.now() - started));
    };
    const figures = await endToEndRun(workload, { outstanding: OUTSTANDING, database, concurrency });
    const databaseBytes = database.sizeOnDisk();
    await database.close();
    return { ...figures, databaseBytes };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function benchWorkload(transactions: number): Workload {
  return generateWorkload({ seed: 42, transactions, accounts: 2_000, contention: 0.1, hotCounters: 4, invalidShare: 0.02, sign: false });
}

async function main(): Promise<void> {
  await digestsReady();
  const workload = benchWorkload(TRANSACTIONS);
  if (only !== undefined) {
    if (only !== 'durable' && only !== 'memory') throw new Error(`--only=${only}: durable or memory`);
    const figures = only === 'durable' ? await durableRun(workload, []) : await endToEndRun(workload, { outstanding: OUTSTANDING });
    console.log(`${only}: ${fmt(figures.perSecond)} transactions / s`);
    return;
  }
  // Warm-up: both paths compiled before the first timed round.
  const warmUp = benchWorkload(2_000);
  await endToEndRun(warmUp, { outstanding: OUTSTANDING });
  await durableRun(warmUp, []);

  const memory: EndToEndFigures[] = [];
  const durable: (EndToEndFigures & { databaseBytes: number })[] = [];
  const wide: EndToEndFigures[] = [];
  const latencies: number[] = [];
  const runs: (() => Promise<unknown>)[] = [
    async () => memory.push(await endToEndRun(workload, { outstanding: OUTSTANDING })),
    async () => durable.push(await durableRun(workload, latencies)),
    // Staged executions wait for their group's fsync without a slot (up to the pipeline's bound): the same, with more slots.
    async () => wide.push(await durableRun(workload, [], WIDE)),
  ];
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate which goes first, so all see the same machine on average.
    for (let i = 0; i < runs.length; i++) await (runs[(i + round) % runs.length] as () => Promise<unknown>)();
  }
  const ratio = (figures: readonly EndToEndFigures[]) => figures.map((d, i) => d.perSecond / (memory[i] as EndToEndFigures).perSecond);
  const rounds = ROUNDS === 1 ? 'one round' : `median of ${ROUNDS} rounds (range)`;
  console.log(`End to end: ${fmt(TRANSACTIONS)} transactions (10 % on 4 hot shared counters, 2 % aborting), at most ${fmt(OUTSTANDING)} outstanding, pre-verified certificates, default V8 flags; ${rounds}, the runs rotating`);
  console.log('| store | concurrency | transactions / s | ÷ in memory | time in GC pauses | young-generation pause |');
  console.log('|---|---|---|---|---|---|');
  const row = (name: string, concurrency: number, figures: readonly EndToEndFigures[], versus: string) =>
    console.log(
      `| ${name} | ${concurrency} | ${withRange(figures.map((f) => f.perSecond))} | ${versus} | ${withRange(figures.map((f) => f.gcShare), percent)} | ${median(figures.map((f) => f.scavengeMs)).toFixed(1)} ms |`,
    );
  row('in memory', 64, memory, '');
  row('durable (LMDB, fsync on)', 64, durable, withRange(ratio(durable), percent));
  row('durable (LMDB, fsync on)', WIDE, wide, withRange(ratio(wide), percent));
  console.log(
    `\nDurable commit latency at concurrency 64 (from staging to on disk, the group's fsync included), ${fmt(latencies.length)} commits: p50 ${quantile(latencies, 0.5).toFixed(2)} ms, p99 ${quantile(latencies, 0.99).toFixed(2)} ms; database after one run: ${(median(durable.map((f) => f.databaseBytes)) / 1024 ** 2).toFixed(1)} MiB`,
  );

  const recovery = await measureRecovery(PENDING);
  console.log(
    `\nRecovery after SIGKILL with ${fmt(recovery.pending)} accepted-but-unexecuted certificates (database ${(recovery.databaseBytes / 1024 ** 2).toFixed(1)} MiB): recovered (${fmt(recovery.reenqueued)} re-enqueued) in ${fmt(recovery.recoverMs)} ms; all executed ${fmt(recovery.drainedMs)} ms after the start`,
  );
  console.log(`\nNode ${process.version}, on this machine.`);
}

void main();
