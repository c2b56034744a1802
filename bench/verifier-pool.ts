/**
 * BLS quorum signatures verified per second, at committee sizes 4, 32 and
 * 100 (a quorum of two thirds plus one), four ways, interleaved round by round
 * in one process so that they see the same machine (medians):
 *  - one at a time on the main thread (`verifyQuorumSignature`);
 *  - batched on the main thread (`quorumSignatureSet` + `verifySignatureSets`,
 *    batches of 64): blst's batch call spreads itself over its own threads,
 *    but the event loop is blocked while it runs;
 *  - on the pool (`QuorumVerifierPool.verify`), with one worker and with one
 *    per core;
 *  - through the operator (`verifyCertificates` on the pool, cache off), with
 *    the event loop's delay (p99, `monitorEventLoopDelay`) while it runs.
 * Then the latency the operator adds at low load: one certificate every
 * 20 ms, the time it waits for its batch to leave (the window), and its
 * verdict's latency beside the pool verifying one certificate directly.
 *
 * Each round runs every way twice: with every thread of the process pinned to
 * one core (`taskset -a -p -c 0`) and on every core, so that the two columns
 * see the same machine (it is shared). `--quick` (CI's smoke run, a few
 * seconds): 64 certificates, 2 rounds, every core only.
 *
 *   npx tsx bench/verifier-pool.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Subject, from, lastValueFrom } from 'rxjs';
import { count } from 'rxjs/operators';
import { type AuthorityQuorumSignature, BlsCommittee, deriveAuthorityKey, quorumSignatureSet, verifyQuorumSignature, verifySignatureSets } from '../lib/validator/bls';
import { aggregateSecretKey, signQuorumWithAggregateKey } from '../lib/validator/bls/aggregate-secret-key';
import { type QuorumCheck, type QuorumVerifier, QuorumVerifierPool, verifyCertificates } from '../lib/validator/verifier';

const quick = process.argv.includes('--quick');
const SIZES = [4, 32, 100];

interface Figures {
  readonly size: number;
  readonly single: number;
  readonly mainBatch: number;
  readonly mainBatchLoopP99: number;
  readonly pool1: number;
  readonly poolAll: number;
  readonly operator: number;
  readonly operatorLoopP99: number;
  /** CPU time per certificate, every thread of the process (µs): what it costs, whatever else runs on the machine. */
  readonly cpu: Readonly<Record<'single' | 'mainBatch' | 'pool1' | 'poolAll' | 'operator', number>>;
}
interface Affinity {
  readonly label: string;
  /** For `taskset -c`; empty: not pinned. */
  readonly cpus: string;
}
interface Run {
  readonly affinity: Affinity;
  readonly figures: Figures[];
  /** Per certificate at low load (ms): the pool verifying it directly; through the operator, push to verdict; and push to the batch's dispatch (the window's wait alone). */
  latency: { readonly direct: number[]; readonly operator: number[]; readonly waited: number[] };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const percentile = (xs: readonly number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? 0;

function committeeOf(size: number): { committee: BlsCommittee; sign: (digest: Uint8Array) => AuthorityQuorumSignature } {
  const keys = Array.from({ length: size }, (_, i) => deriveAuthorityKey(new Uint8Array(32).fill(i + 1)));
  const committee = new BlsCommittee(
    0,
    keys.map((key, i) => ({ name: `v${i}`, stake: 1, publicKey: key.publicKey, proofOfPossession: key.proofOfPossession })),
  );
  const indices = Array.from({ length: committee.quorumThreshold }, (_, i) => i);
  const key = aggregateSecretKey(indices.map((i) => keys[i] as (typeof keys)[number]));
  return { committee, sign: (digest) => signQuorumWithAggregateKey(committee, digest, indices, key) };
}

function digestOf(n: number): Uint8Array {
  const digest = new Uint8Array(32);
  new DataView(digest.buffer).setUint32(0, n);
  return digest;
}

/** Rate (items / s) of `run` over `items` items, and the event loop's p99 delay (ms) while it ran. */
async function timed(items: number, run: () => Promise<unknown>): Promise<{ rate: number; loopP99: number; cpuMicros: number }> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  loop.disable();
  return { rate: (items * 1000) / elapsed, loopP99: loop.count > 0 ? loop.percentile(99) / 1e6 : elapsed, cpuMicros: (used.user + used.system) / items };
}

/** The CPUs every thread of this process may run on (`taskset -a -p`: blst's threads and the workers too). */
function pin(cpus: string): void {
  const { status, stderr } = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { encoding: 'utf8' });
  if (status !== 0) throw new Error(`taskset failed: ${stderr}`);
}

async function main(): Promise<void> {
  const certificates = quick ? 64 : 512;
  const rounds = quick ? 2 : 5;
  const cpus = os.availableParallelism();
  const canPin = !quick && cpus > 1 && spawnSync('taskset', ['-p', String(process.pid)]).status === 0;
  const affinities: Affinity[] = canPin
    ? [
        { label: 'one core (taskset -c 0)', cpus: '0' },
        { label: `${cpus} cores`, cpus: `0-${cpus - 1}` },
      ]
    : [{ label: `${cpus} cores${quick ? '' : ' (taskset unavailable: not pinned)'}`, cpus: '' }];
  // Every thread exists before the first pinning: the pools' workers and blst's own threads (started by its first call).
  const pool1 = new QuorumVerifierPool({ workers: 1 });
  const poolAll = new QuorumVerifierPool({ workers: cpus });
  const runs: Run[] = affinities.map((affinity) => ({ affinity, figures: [], latency: { direct: [], operator: [], waited: [] } }));
  for (const size of SIZES) {
    const { committee, sign } = committeeOf(size);
    const checks: QuorumCheck[] = Array.from({ length: certificates }, (_, i) => ({ committee, digest: digestOf(size * 100_000 + i), quorum: sign(digestOf(size * 100_000 + i)) }));
    const singles = checks.slice(0, Math.max(32, certificates / 4));
    await Promise.all([pool1.verify(checks.slice(0, 8)), poolAll.verify(checks.slice(0, 8))]); // warm: workers up, keys sent
    const ways: [string, number, () => Promise<unknown>][] = [
      [
        'single',
        singles.length,
        () => {
          for (const c of singles) verifyQuorumSignature(c.committee, c.digest, c.quorum);
          return Promise.resolve();
        },
      ],
      [
        'mainBatch',
        certificates,
        // A turn of the loop between batches, so that the delay monitor sees it blocked for one batch at a time.
        async () => {
          for (let i = 0; i < certificates; i += 64) {
            verifySignatureSets(checks.slice(i, i + 64).map((c) => quorumSignatureSet(c.committee, c.digest, c.quorum)));
            await new Promise((resolve) => setImmediate(resolve));
          }
        },
      ],
      ['pool1', certificates, () => pool1.verify(checks)],
      ['poolAll', certificates, () => poolAll.verify(checks)],
      [
        'operator',
        certificates,
        () => lastValueFrom(from(checks).pipe(verifyCertificates<QuorumCheck>({ pool: poolAll, cache: false, signatureOf: (c) => c, committeeFor: () => committee }), count())),
      ],
    ];
    const samples = runs.map((run) => ({ run, rates: new Map<string, number[]>(), loops: new Map<string, number[]>(), cpu: new Map<string, number[]>() }));
    const add = (map: Map<string, number[]>, name: string, x: number) => map.set(name, [...(map.get(name) ?? []), x]);
    // Round by round, each affinity in turn, each way in turn: all of them see the same machine.
    for (let round = 0; round < rounds; round++) {
      for (const { run, rates, loops, cpu } of samples) {
        if (canPin) pin(run.affinity.cpus);
        for (const [name, items, way] of ways) {
          const { rate, loopP99, cpuMicros } = await timed(items, way);
          add(rates, name, rate);
          add(loops, name, loopP99);
          add(cpu, name, cpuMicros);
        }
      }
    }
    for (const { run, rates, loops, cpu } of samples) {
      const rate = (name: string) => median(rates.get(name) ?? []);
      const micros = (name: string) => median(cpu.get(name) ?? []);
      run.figures.push({
        size,
        single: rate('single'),
        mainBatch: rate('mainBatch'),
        mainBatchLoopP99: median(loops.get('mainBatch') ?? []),
        pool1: rate('pool1'),
        poolAll: rate('poolAll'),
        operator: rate('operator'),
        operatorLoopP99: median(loops.get('operator') ?? []),
        cpu: { single: micros('single'), mainBatch: micros('mainBatch'), pool1: micros('pool1'), poolAll: micros('poolAll'), operator: micros('operator') },
      });
      if (size === 100) {
        if (canPin) pin(run.affinity.cpus);
        run.latency = await lowLoadLatency(poolAll, committee, sign);
      }
    }
  }
  if (canPin) pin(`0-${cpus - 1}`);
  await Promise.all([pool1.close(), poolAll.close()]);
  report(runs, certificates, rounds, cpus);
}

/** One certificate every 20 ms: the time from push to verdict, through the operator and by the pool directly. */
async function lowLoadLatency(pool: QuorumVerifierPool, committee: BlsCommittee, sign: (digest: Uint8Array) => AuthorityQuorumSignature): Promise<Run['latency']> {
  const samples = quick ? 5 : 50;
  const direct: number[] = [];
  const operator: number[] = [];
  const waited: number[] = [];
  let pushed = 0;
  // The pool, seen through a wrapper that notes when the operator hands it a batch.
  const noting: QuorumVerifier = {
    batchSize: pool.batchSize,
    verify: (checks) => {
      waited.push(performance.now() - pushed);
      return pool.verify(checks);
    },
  };
  const input = new Subject<{ check: QuorumCheck; pushed: number }>();
  const emitted = input.pipe(verifyCertificates({ pool: noting, cache: false, signatureOf: (x) => x.check, committeeFor: () => committee }));
  let resolveOne: () => void = () => undefined;
  const subscription = emitted.subscribe((v) => {
    operator.push(performance.now() - v.item.pushed);
    resolveOne();
  });
  const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
  for (let i = 0; i < samples; i++) {
    const digest = digestOf(900_000 + i);
    const check = { committee, digest, quorum: sign(digest) };
    await pause();
    const started = performance.now();
    await pool.verify([check]);
    direct.push(performance.now() - started);
    await pause();
    const done = new Promise<void>((resolve) => (resolveOne = resolve));
    pushed = performance.now();
    input.next({ check: { ...check, digest: Uint8Array.from(digest) }, pushed });
    await done;
  }
  subscription.unsubscribe();
  return { direct, operator, waited };
}

function report(runs: readonly Run[], certificates: number, rounds: number, cpus: number): void {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(`BLS quorum signatures verified per second (quorum 2/3 + 1; ${certificates} certificates, median of ${rounds} interleaved rounds)`);
  for (const { affinity, figures } of runs) {
    console.log(`\n${affinity.label}`);
    console.log(`| committee | one at a time | batched, main thread | (its loop delay p99) | pool, 1 worker | pool, ${cpus} workers | operator on the ${cpus}-worker pool | (its loop delay p99) |`);
    console.log('|---|---|---|---|---|---|---|---|');
    for (const f of figures) {
      console.log(`| ${f.size} | ${n(f.single)} | ${n(f.mainBatch)} | ${f.mainBatchLoopP99.toFixed(1)} ms | ${n(f.pool1)} | ${n(f.poolAll)} | ${n(f.operator)} | ${f.operatorLoopP99.toFixed(1)} ms |`);
    }
  }
  if (runs.length === 2) {
    const [pinned, all] = runs.map((r) => r.figures.find((f) => f.size === 100) as Figures);
    if (pinned !== undefined && all !== undefined) {
      const ceiling = 2 * pinned.mainBatch;
      console.log(
        `\nCommittee 100: operator on the pool ${n(all.operator)}/s on all cores (${(all.operator / pinned.operator).toFixed(2)}× its pinned ${n(pinned.operator)}/s); ` +
          `ceiling ~${n(ceiling)}/s (twice the pinned one-core batch, ${n(pinned.mainBatch)}/s): ${((100 * all.operator) / ceiling).toFixed(0)} % of it. ` +
          `Target >= 3,200/s: ${all.operator >= 3_200 ? 'met' : 'NOT met'}; event-loop p99 ${all.operatorLoopP99.toFixed(1)} ms, target < 10 ms: ${all.operatorLoopP99 < 10 ? 'met' : 'NOT met'}.`,
      );
    }
  }
  const last = runs.at(-1);
  if (last !== undefined) {
    console.log(`\nCPU time per certificate, all threads of the process (µs, ${last.affinity.label}); in brackets the rate that CPU time allows on ${cpus} idle cores (derived, not measured: one core for the serial ways)`);
    console.log(`| committee | one at a time | batched, main thread | pool, 1 worker | pool, ${cpus} workers | operator |`);
    console.log('|---|---|---|---|---|---|');
    for (const f of last.figures) {
      const at = (micros: number, cores: number) => `${n(micros)} (${n((cores * 1e6) / micros)}/s)`;
      console.log(`| ${f.size} | ${at(f.cpu.single, 1)} | ${at(f.cpu.mainBatch, cpus)} | ${at(f.cpu.pool1, cpus)} | ${at(f.cpu.poolAll, cpus)} | ${at(f.cpu.operator, cpus)} |`);
    }
  }
  for (const { affinity, latency } of runs) {
    const { direct, operator, waited } = latency;
    const ms = (xs: readonly number[]) => `p50 ${median(xs).toFixed(2)} ms, p99 ${percentile(xs, 99).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms`;
    console.log(
      `\nLow load (one certificate every 20 ms, committee 100, ${direct.length} samples), ${affinity.label}: a certificate waited for its batch to leave ${ms(waited)} ` +
        `(the 1 ms window and the timer's lateness); its verdict came ${ms(operator)} after the push; the pool verifying one directly took ${ms(direct)}.`,
    );
  }
  console.log(`\nNode ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(', ')} at the end.`);
}

void main();
