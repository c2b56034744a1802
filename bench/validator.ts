/**
 * The reference validator's throughput, in one process (the TransactionManager
 * alone is bench/transaction-manager.ts, in a process of its own):
 *  - end to end (state + manager + driver, pre-verified certificates) at 0 %, 10 % and 50 % contention,
 *    under two loads: sustained (clients keep at most 2,000 certificates outstanding, as a
 *    validator fed by consensus and clients at its own pace) and burst (the whole workload
 *    submitted at once, so every certificate waits in the manager);
 *  - signature verification.
 *
 *   npx tsx bench/validator.ts [--quick]
 */
import winston from 'winston';
import { type CertifiedTransaction, generateWorkload, startValidatorPipeline, verifyCertificate } from '../lib';

const quick = process.argv.includes('--quick');
const silent = winston.createLogger({ silent: true });

/** At most this many certificates submitted and not yet committed, in the sustained load. */
const SUSTAINED_OUTSTANDING = 2_000;

async function endToEndRound(transactions: number, contention: number, outstanding: number): Promise<{ perSecond: number; aborted: number }> {
  const workload = generateWorkload({ seed: 42, transactions, accounts: 2_000, contention, hotCounters: 4, invalidShare: 0.02, sign: false });
  const pipeline = await startValidatorPipeline({
    committee: workload.committee,
    genesis: workload.genesis,
    verifySignatures: false,
    maxConcurrentExecutions: 64,
    logger: silent,
    limits: { maxPendingAndExecuting: 1_000_000, maxPerObjectQueue: 1_000_000, maxQueueAgeMs: 1e9 },
  });
  let done = 0;
  let sent = 0;
  let aborted = 0;
  let belowLimit: (() => void) | undefined;
  const all = new Promise<void>((resolve) => {
    pipeline.state.committed$.subscribe(({ output }) => {
      if (output.effects.status.kind === 'failure') aborted++;
      if (++done === transactions) resolve();
      if (belowLimit && sent - done < outstanding) {
        belowLimit();
        belowLimit = undefined;
      }
    });
  });
  const started = performance.now();
  let batch: CertifiedTransaction[] = [];
  let commitIndex = 0;
  const pending: Promise<unknown>[] = [];
  // Owned certificates in batches of 500; shared ones in consensus commits, in order.
  for (const step of workload.steps) {
    if (step.shared) {
      pending.push(pipeline.commit({ digest: `c${commitIndex}`, index: commitIndex++, certificates: [step.certificate] }));
      sent++;
    } else batch.push(step.certificate);
    if (batch.length === 500) {
      pending.push(pipeline.submit(batch));
      sent += batch.length;
      batch = [];
      if (sent - done >= outstanding) await new Promise<void>((resolve) => (belowLimit = resolve));
    }
  }
  pending.push(pipeline.submit(batch));
  await Promise.all(pending);
  await all;
  const elapsed = performance.now() - started;
  await pipeline.stop();
  return { perSecond: (transactions / elapsed) * 1000, aborted };
}

function verificationRound(count: number): { certificates: number; signatures: number } {
  const workload = generateWorkload({ seed: 7, transactions: count, accounts: 50 });
  const started = performance.now();
  let signatures = 0;
  for (const step of workload.steps) signatures += verifyCertificate(step.certificate, workload.committee).signatures.length;
  const seconds = (performance.now() - started) / 1000;
  return { certificates: count / seconds, signatures: signatures / seconds };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The median and, over several rounds, the range. */
function summary(perSecond: readonly number[]): string {
  const sorted = [...perSecond].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  return sorted.length > 1 ? `${fmt(median)} (${fmt(sorted[0] as number)} to ${fmt(sorted[sorted.length - 1] as number)})` : fmt(median);
}

async function main(): Promise<void> {
  const transactions = quick ? 5_000 : 50_000;
  const rounds = quick ? 1 : 3;
  console.log(`End to end (reference state + TransactionManager + driver, concurrency 64, pre-verified certificates, ${fmt(transactions)} transactions, 2 % aborting)`);
  console.log(`| contention | sustained: transactions / s (${quick ? 'one round' : 'median of 3 rounds, and range'}) | burst: transactions / s | aborted |`);
  console.log('|---|---|---|---|');
  await endToEndRound(2_000, 0, Number.POSITIVE_INFINITY); // warm-up
  // Rounds in rotating order, the median reported with the range: one round moves by 20 % or more here.
  const contentions = [0, 0.1, 0.5];
  const loads = [SUSTAINED_OUTSTANDING, Number.POSITIVE_INFINITY];
  const runs = contentions.flatMap((contention) => loads.map((outstanding) => ({ contention, outstanding })));
  const results = new Map(runs.map((run) => [run, { perSecond: [] as number[], aborted: 0 }]));
  for (let round = 0; round < rounds; round++) {
    const shift = (round * 2) % runs.length;
    for (const run of [...runs.slice(shift), ...runs.slice(0, shift)]) {
      const { perSecond, aborted } = await endToEndRound(transactions, run.contention, run.outstanding);
      const result = results.get(run) as { perSecond: number[]; aborted: number };
      result.perSecond.push(perSecond);
      result.aborted = aborted;
    }
  }
  for (const contention of contentions) {
    const [sustained, burst] = runs.filter((run) => run.contention === contention).map((run) => results.get(run) as { perSecond: number[]; aborted: number });
    console.log(`| ${contention * 100} % | ${summary(sustained?.perSecond ?? [])} | ${summary(burst?.perSecond ?? [])} | ${fmt(burst?.aborted ?? 0)} |`);
  }
  console.log(`Sustained: clients keep at most ${fmt(SUSTAINED_OUTSTANDING)} certificates outstanding. Burst: all ${fmt(transactions)} submitted at once.`);

  const verification = verificationRound(quick ? 300 : 3_000);
  console.log(`\nSignature verification (ed25519, node:crypto, 3 of 4 validators): ${fmt(verification.certificates)} certificates / s, ${fmt(verification.signatures)} signatures / s`);

  console.log(`\nNode ${process.version}, one process on this machine.`);
}

void main();
