/**
 * End to end with signature verification on (issue 15): the whole pipeline
 * (reference state, TransactionManager, driver) on a signed workload with a
 * committee of 100 (quorum 67), sustained load (clients keep at most 2,000
 * certificates outstanding, as bench/validator.ts), three ways, interleaved
 * round by round in one process (medians):
 *  - verification on, through the worker pool (one worker per core, shared by
 *    the rounds and warmed up first, so thread start-up is not timed);
 *  - verification off (the same certificates, pre-verified: the door only);
 *  - the ed25519 design (one signature per signer, checked one by one on the
 *    main thread, bench/ed25519-baseline.ts): its verification alone, at
 *    committee 100, which bounds what it can do end to end.
 * Beside each: the CPU time of the whole process per transaction, and how
 * busy the pool's workers were (`stats().busyMs`).
 *
 *   npx tsx bench/verified-pipeline.ts [--quick]
 */
import os from 'node:os';
import { generateWorkload } from '../lib/validator';
import { QuorumVerifierPool } from '../lib/validator/verifier';
import { ed25519Committee, ed25519Signatures, verifyEd25519Certificate } from './ed25519-baseline';
import { endToEndRun } from './end-to-end';

const quick = process.argv.includes('--quick');
const COMMITTEE = 100;
const OUTSTANDING = 2_000;
const transactions = quick ? 1_000 : 12_000;
const rounds = quick ? 1 : 3;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const range = (xs: readonly number[]) => (xs.length > 1 ? ` (${fmt(Math.min(...xs))} to ${fmt(Math.max(...xs))})` : '');

/** CPU time of every thread of the process, in µs, while `run` runs. */
async function cpuOf<T>(run: () => Promise<T>): Promise<{ result: T; cpuUs: number }> {
  const before = process.cpuUsage();
  const result = await run();
  const used = process.cpuUsage(before);
  return { result, cpuUs: used.user + used.system };
}

async function main(): Promise<void> {
  const signStarted = performance.now();
  const workload = generateWorkload({ seed: 15, transactions, accounts: 2_000, contention: 0.1, hotCounters: 4, invalidShare: 0.02, stakes: new Array<number>(COMMITTEE).fill(1) });
  console.log(`Signed ${fmt(transactions)} certificates (committee ${COMMITTEE}, quorum ${workload.committee.quorumThreshold}) in ${((performance.now() - signStarted) / 1000).toFixed(1)} s.`);

  const pool = new QuorumVerifierPool();
  // Warm: the workers are up, the committee's keys are in each, blst's threads exist.
  await pool.verify(workload.steps.slice(0, 256).map((s) => ({ committee: workload.committee, digest: Buffer.from(s.certificate.digest.slice(2), 'hex'), quorum: s.certificate.quorumSignature })));

  const ways = { on: [] as number[], off: [] as number[], onCpu: [] as number[], offCpu: [] as number[], busy: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    for (const way of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const poolBefore = pool.stats();
      const { result, cpuUs } = await cpuOf(() => endToEndRun(workload, { outstanding: OUTSTANDING, verifySignatures: way === 'on', verification: { pool } }));
      ways[way].push(result.perSecond);
      ways[way === 'on' ? 'onCpu' : 'offCpu'].push(cpuUs / transactions);
      if (way === 'on') {
        const elapsedMs = (transactions / result.perSecond) * 1000;
        ways.busy.push((pool.stats().busyMs - poolBefore.busyMs) / (elapsedMs * pool.size));
      }
    }
  }
  await pool.close();

  // The ed25519 design at committee 100: 67 signatures per certificate, verified one by one on the main thread.
  const ed = ed25519Committee(0, COMMITTEE);
  const edCertificates = workload.steps.slice(0, quick ? 30 : 200).map((s) => s.certificate);
  const edSignatures = edCertificates.map((c) => ed25519Signatures(ed, c));
  const edStarted = performance.now();
  const edCpuBefore = process.cpuUsage();
  edCertificates.forEach((c, i) => verifyEd25519Certificate(c, edSignatures[i] ?? [], ed));
  const edCpuUsed = process.cpuUsage(edCpuBefore);
  const edCpu = edCpuUsed.user + edCpuUsed.system;
  const edPerSecond = (edCertificates.length / (performance.now() - edStarted)) * 1000;

  console.log(
    `\nEnd to end, committee ${COMMITTEE}, sustained load (${fmt(OUTSTANDING)} outstanding), ${fmt(transactions)} transactions (10 % contention, 2 % aborting), concurrency 64, ${os.availableParallelism()} cores, pool of ${pool.size} workers; ${rounds === 1 ? 'one round' : `median of ${rounds} rounds and range`}:`,
  );
  console.log('| way | transactions / s | CPU per transaction (whole process) | pool busy |');
  console.log('|---|---|---|---|');
  console.log(`| verification on, worker pool | ${fmt(median(ways.on))}${range(ways.on)} | ${fmt(median(ways.onCpu))} µs | ${Math.round(median(ways.busy) * 100)} % |`);
  console.log(`| verification off (pre-verified) | ${fmt(median(ways.off))}${range(ways.off)} | ${fmt(median(ways.offCpu))} µs | - |`);
  console.log(`| ed25519 design, its verification alone (main thread, ${edCertificates.length} certificates) | ${fmt(edPerSecond)} (a ceiling) | ${fmt(edCpu / edCertificates.length)} µs | - |`);
  const target = median(ways.on) >= 2_500 ? 'met' : 'NOT met';
  console.log(`\nTarget >= 2,500 transactions / s end to end with verification on: ${target} (${fmt(median(ways.on))}).`);
  console.log(`Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (other work on this machine shares its cores).`);
}

void main();
