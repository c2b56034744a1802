/**
 * The reference validator's throughput (the TransactionManager alone is
 * bench/transaction-manager.ts, in a process of its own):
 *  - end to end (state + manager + driver, pre-verified certificates) at 0 %, 10 % and 50 % contention,
 *    under two loads: sustained (clients keep at most 2,000 certificates outstanding, as a
 *    validator fed by consensus and clients at its own pace) and burst (the whole workload
 *    submitted at once, so every certificate waits in the manager);
 *  - with V8's default young generation and with a 64 MB semi-space: each round runs in a
 *    fresh process per setting, the two settings alternating, so both see the same machine;
 *  - signature verification is bench/certificate-verification.ts; end to end with it on, bench/verified-pipeline.ts.
 *
 *   npx tsx bench/validator.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import { generateWorkload } from '../lib/validator';
import { endToEndRun } from './end-to-end';

const quick = process.argv.includes('--quick');
/** Set in a child process: run round k of the end-to-end measurement and print its figures as JSON. */
const childRound = process.argv.find((arg) => arg.startsWith('--round='))?.slice('--round='.length);

/** Young-generation settings compared: the process flags of each. */
const YOUNG_GENERATIONS: readonly { readonly name: string; readonly flags: readonly string[] }[] = [
  { name: 'default young generation', flags: [] },
  { name: '--max-semi-space-size=64', flags: ['--max-semi-space-size=64'] },
];
/** At most this many certificates submitted and not yet committed, in the sustained load. */
const SUSTAINED_OUTSTANDING = 2_000;

async function endToEndRound(
  transactions: number,
  contention: number,
  outstanding: number,
): Promise<{ perSecond: number; aborted: number; gcShare: number; scavengeMs: number }> {
  const workload = generateWorkload({ seed: 42, transactions, accounts: 2_000, contention, hotCounters: 4, invalidShare: 0.02, sign: false });
  return endToEndRun(workload, { outstanding });
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The median and, over several rounds, the range. */
function summary(perSecond: readonly number[]): string {
  const sorted = [...perSecond].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  return sorted.length > 1 ? `${fmt(median)} (${fmt(sorted[0] as number)} to ${fmt(sorted[sorted.length - 1] as number)})` : fmt(median);
}

const contentions = [0, 0.1, 0.5];
const loads = [SUSTAINED_OUTSTANDING, Number.POSITIVE_INFINITY];
const runs = contentions.flatMap((contention) => loads.map((outstanding) => ({ contention, outstanding })));
const transactions = quick ? 5_000 : 50_000;

interface RunFigures {
  /** Index in `runs` (JSON has no Infinity for the burst's bound). */
  readonly run: number;
  readonly perSecond: number;
  readonly aborted: number;
  /** Share of the run's wall time spent in GC pauses. */
  readonly gcShare: number;
  /** Mean young-generation pause (ms). */
  readonly scavengeMs: number;
}

/** One round in this process: a warm-up, then every run, in an order that rotates with the round. */
async function measureRound(round: number): Promise<RunFigures[]> {
  await endToEndRound(2_000, 0, Number.POSITIVE_INFINITY); // warm-up
  const shift = (round * 2) % runs.length;
  const figures: RunFigures[] = [];
  for (const run of [...runs.keys()].map((i) => (i + shift) % runs.length)) {
    const { contention, outstanding } = runs[run] as (typeof runs)[number];
    figures.push({ run, ...(await endToEndRound(transactions, contention, outstanding)) });
  }
  return figures;
}

function roundInChild(round: number, flags: readonly string[]): RunFigures[] {
  const script = process.argv[1] as string;
  const child = spawnSync(process.execPath, [...flags, '--import', 'tsx', script, `--round=${round}`, ...(quick ? ['--quick'] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`round ${round} (${flags.join(' ') || 'default flags'}) exited with ${child.status}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() as string) as RunFigures[];
}

async function main(): Promise<void> {
  if (childRound !== undefined) {
    console.log(JSON.stringify(await measureRound(Number(childRound))));
    return;
  }
  const rounds = quick ? 1 : 5;
  // Figures per young generation, per run: one round moves by 20 % or more here, so the median is reported with the range.
  const results = YOUNG_GENERATIONS.map(() => runs.map(() => ({ perSecond: [] as number[], aborted: 0, gcShare: [] as number[], scavengeMs: [] as number[] })));
  for (let round = 0; round < rounds; round++) {
    YOUNG_GENERATIONS.forEach(({ flags }, setting) => {
      for (const figures of roundInChild(round, flags)) {
        const result = results[setting]?.[figures.run];
        result?.perSecond.push(figures.perSecond);
        result?.gcShare.push(figures.gcShare);
        result?.scavengeMs.push(figures.scavengeMs);
        if (result) result.aborted = figures.aborted;
      }
    });
  }
  console.log(`End to end (reference state + TransactionManager + driver, concurrency 64, pre-verified certificates, ${fmt(transactions)} transactions, 2 % aborting), transactions / s, ${quick ? 'one round' : `median of ${rounds} rounds and range`}`);
  console.log(`| contention | load | ${YOUNG_GENERATIONS.map(({ name }) => name).join(' | ')} | aborted |`);
  console.log(`|---|---|${YOUNG_GENERATIONS.map(() => '---|').join('')}---|`);
  runs.forEach((run, i) => {
    const load = Number.isFinite(run.outstanding) ? `sustained (${fmt(run.outstanding)} outstanding)` : 'burst (all at once)';
    const cells = results.map((setting) => summary(setting[i]?.perSecond ?? []));
    console.log(`| ${run.contention * 100} % | ${load} | ${cells.join(' | ')} | ${fmt(results[0]?.[i]?.aborted ?? 0)} |`);
  });

  const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const gc = results.map((setting, i) => {
    const all = setting.flatMap((run) => run.gcShare);
    const pauses = setting.flatMap((run) => run.scavengeMs);
    return `${YOUNG_GENERATIONS[i]?.name}: ${Math.round(median(all) * 100)} % of the time in GC pauses, young-generation pauses of ${median(pauses).toFixed(1)} ms`;
  });
  console.log(`GC (medians over all runs): ${gc.join('; ')}.`);

  console.log('\nSignature verification: bench/certificate-verification.ts (ed25519 against BLS, committees of 4, 32 and 100).');
  console.log(`\nNode ${process.version}, on this machine.`);
}

void main();
