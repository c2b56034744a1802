/**
 * Certificates verified per second, at committee sizes 4, 32 and 100 (a
 * quorum of 3, 22 and 67 signers), for:
 *  - today's ed25519 path (bench/ed25519-baseline.ts): one signature per signer, checked one by one;
 *  - BLS, one certificate at a time: `verifyCertificate` (the door, the cheap checks, one pairing check);
 *  - BLS batched on one thread: `certificateSignatureInput` per certificate, then `verifySignatureSets`
 *    over batches of 64 (one multi-pairing per batch; blst may spread that call over the cores itself).
 * Each is measured in a process pinned to one core (`taskset -c 0`) and in one free to use both; the two
 * kinds of process alternate, and inside each the contenders are interleaved round by round, so all see
 * the same machine. Figures are medians over all rounds. Every contender must accept every certificate.
 * On a shared machine the pinned process gets only part of its core: "per CPU-second" is its rate per
 * second of CPU it actually got (CPU time, not wall time), the figure a core of its own would give.
 *
 *   npx tsx bench/certificate-verification.ts [--quick] [--sizes=4,32,100] [--batch=64]
 */
import { spawnSync } from 'node:child_process';
import { verifySignatureSets, quorumSignatureSet } from '../lib/validator/bls';
import { type CertifiedTransaction, certifyTransaction, verifyCertificate } from '../lib/validator/certificates/certified-transaction';
import { certificateSignatureInput } from '../lib/validator/certificates/certificate-signature-input';
import type { Committee } from '../lib/validator/certificates/committee';
import { generateCommittee } from '../lib/validator/certificates/generated-committee';
import { digestsReady } from '../lib/validator/model/digests';
import type { TransactionData } from '../lib/validator/model/transactions';
import { type Ed25519Committee, type Ed25519Signature, ed25519Committee, ed25519Signatures, verifyEd25519Certificate } from './ed25519-baseline';

const quick = process.argv.includes('--quick');
const argument = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const sizes = (argument('sizes') ?? '4,32,100').split(',').map(Number);
const batchSize = Number(argument('batch') ?? 64);
const child = argument('child'); // 'pinned' or 'both': measure in this process and print JSON
const certificatesPerSize = quick ? 64 : 256;
const roundsPerProcess = quick ? 1 : 5;
const processRounds = quick ? 1 : 2;

const CONTENDERS = ['ed25519, one signature at a time', 'BLS, one certificate at a time', `BLS batched on one thread (${batchSize} per batch)`] as const;

interface Sample {
  readonly size: number;
  readonly contender: number;
  readonly perSecond: number;
  /** CPU time over wall time: above 1, the call used more than one core. */
  readonly cpuPerWall: number;
  /** The longest synchronous call: how long the event loop would be blocked. */
  readonly longestCallMs: number;
}

interface Fixture {
  readonly size: number;
  readonly committee: Committee;
  readonly certificates: readonly CertifiedTransaction[];
  readonly ed25519: Ed25519Committee;
  readonly ed25519Signatures: readonly (readonly Ed25519Signature[])[];
}

const hex = (byte: number, n: number) => `0x${byte.toString(16).padStart(2, '0')}${n.toString(16).padStart(62, '0')}`;

/** `count` different payments (each its own digest), certified by the first members holding a quorum. */
function fixture(size: number, count: number): Fixture {
  const { committee, signers } = generateCommittee(0, Array.from({ length: size }, () => 1), size);
  const quorum = signers.slice(0, committee.quorumThreshold);
  const certificates = Array.from({ length: count }, (_, i) => {
    const data: TransactionData = {
      sender: hex(0xa0, i),
      inputs: [{ kind: 'owned', ref: { id: hex(0xc1, i), version: 1, digest: hex(0xdd, i) } }],
      gas: { payment: { id: hex(0xc0, i), version: 1, digest: hex(0xde, i) }, budget: 1_000_000n, price: 1n },
      commands: [{ kind: 'pay', coin: hex(0xc1, i), recipients: [{ address: hex(0xa1, i), amount: BigInt(1 + i) }] }],
    };
    return certifyTransaction(data, committee, quorum);
  });
  const ed25519 = ed25519Committee(0, size);
  return { size, committee, certificates, ed25519, ed25519Signatures: certificates.map((c) => ed25519Signatures(ed25519, c)) };
}

/** Verify every certificate of `f` the contender's way; returns the longest synchronous call (ms). */
function run(contender: number, f: Fixture): number {
  let longest = 0;
  const timed = (call: () => void) => {
    const started = performance.now();
    call();
    longest = Math.max(longest, performance.now() - started);
  };
  if (contender === 0) {
    f.certificates.forEach((c, i) => timed(() => verifyEd25519Certificate(c, f.ed25519Signatures[i] ?? [], f.ed25519)));
  } else if (contender === 1) {
    for (const c of f.certificates) timed(() => verifyCertificate(c, f.committee));
  } else {
    for (let from = 0; from < f.certificates.length; from += batchSize) {
      timed(() => {
        const sets = f.certificates.slice(from, from + batchSize).map((c) => {
          const input = certificateSignatureInput(c, f.committee);
          return quorumSignatureSet(f.committee, input.digest, input.certificate.quorumSignature, input.certificate.digest);
        });
        const verdicts = verifySignatureSets(sets);
        if (verdicts.some((ok) => !ok)) throw new Error('a genuine certificate was refused by the batch');
      });
    }
  }
  return longest;
}

async function measure(): Promise<Sample[]> {
  await digestsReady();
  const fixtures = sizes.map((size) => fixture(size, certificatesPerSize));
  for (const f of fixtures) for (let c = 0; c < CONTENDERS.length; c++) run(c, { ...f, certificates: f.certificates.slice(0, 8) }); // warm-up
  const samples: Sample[] = [];
  for (let round = 0; round < roundsPerProcess; round++) {
    for (const f of fixtures) {
      for (let k = 0; k < CONTENDERS.length; k++) {
        const contender = (k + round) % CONTENDERS.length;
        const cpu = process.cpuUsage();
        const started = performance.now();
        const longestCallMs = run(contender, f);
        const wallMs = performance.now() - started;
        const used = process.cpuUsage(cpu);
        samples.push({ size: f.size, contender, perSecond: (f.certificates.length / wallMs) * 1000, cpuPerWall: (used.user + used.system) / 1000 / wallMs, longestCallMs });
      }
    }
  }
  return samples;
}

function inChild(kind: 'pinned' | 'both'): Sample[] | undefined {
  const script = process.argv[1] as string;
  const args = ['--import', 'tsx', script, `--child=${kind}`, ...process.argv.slice(2).filter((a) => !a.startsWith('--child='))];
  const [command, commandArgs] = kind === 'pinned' ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
  const result = spawnSync(command, commandArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.error && kind === 'pinned') return undefined; // no taskset here
  if (result.status !== 0) throw new Error(`the ${kind} process exited with ${result.status}`);
  return JSON.parse(result.stdout.trim().split('\n').pop() as string) as Sample[];
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const fmt = (n: number) => (Number.isNaN(n) ? 'n/a' : Math.round(n).toLocaleString('en-US'));

async function main(): Promise<void> {
  if (child !== undefined) {
    console.log(JSON.stringify(await measure()));
    return;
  }
  const collected: Record<'pinned' | 'both', Sample[]> = { pinned: [], both: [] };
  let pinnedAvailable = true;
  for (let round = 0; round < processRounds; round++) {
    for (const kind of round % 2 === 0 ? (['pinned', 'both'] as const) : (['both', 'pinned'] as const)) {
      const samples = kind === 'pinned' && !pinnedAvailable ? [] : inChild(kind);
      if (samples === undefined) pinnedAvailable = false;
      else collected[kind].push(...samples);
    }
  }
  const cell = (kind: 'pinned' | 'both', size: number, contender: number, pick: (s: Sample) => number) =>
    median(collected[kind].filter((s) => s.size === size && s.contender === contender).map(pick));
  console.log(
    `Certificates verified per second, ${certificatesPerSize} different certificates per committee size, ` +
      `${quick ? 'one round' : `median of ${roundsPerProcess * processRounds} rounds`} (each kind of process run ${processRounds}×, alternating)`,
  );
  if (!pinnedAvailable) console.log('(taskset is not available here: no pinned figures)');
  console.log('| committee (quorum) | contender | one core (`taskset -c 0`) | one core, per CPU-second | both cores | both ÷ one | CPU ÷ wall, both cores | longest call, both cores |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const size of sizes) {
    const quorum = Math.floor((2 * size) / 3) + 1;
    CONTENDERS.forEach((name, contender) => {
      const pinned = cell('pinned', size, contender, (s) => s.perSecond);
      const perCpuSecond = cell('pinned', size, contender, (s) => s.perSecond / s.cpuPerWall);
      const both = cell('both', size, contender, (s) => s.perSecond);
      const cpu = cell('both', size, contender, (s) => s.cpuPerWall);
      const longest = cell('both', size, contender, (s) => s.longestCallMs);
      console.log(`| ${size} (${quorum}) | ${name} | ${fmt(pinned)} | ${fmt(perCpuSecond)} | ${fmt(both)} | ${(both / pinned).toFixed(2)} | ${cpu.toFixed(2)} | ${longest.toFixed(2)} ms |`);
    });
  }
  console.log('\nThe pool contender (BLS batched on worker threads) is bench/verifier-pool.ts.');
  console.log(`Node ${process.version}, on this machine.`);
}

void main();
