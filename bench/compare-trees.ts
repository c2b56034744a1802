/**
 * This checkout against another one (`--before=DIR`, a checkout or `git
 * archive` of the same repository with `node_modules` beside it), in one
 * process, interleaved round by round: the TransactionManager alone (owned
 * chains, as bench/transaction-manager.ts) and end to end (bench/end-to-end.ts,
 * sustained load, in memory). Medians, with CPU time per transaction.
 *
 *   npx tsx bench/compare-trees.ts --before=/tmp/before [--rounds=5] [--transactions=20000]
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Subject } from 'rxjs';
import * as thisValidator from '../lib/validator';
import type { CertifiedTransaction, CommittedOutputs } from '../lib/validator';
import * as thisEndToEnd from './end-to-end';

type Validator = typeof thisValidator;
type EndToEnd = typeof thisEndToEnd;
/** Loads the other checkout's modules (tsx compiles them as it does these). */
const load = createRequire(__filename);

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const before = arg('before');
if (!before) throw new Error('--before=DIR is required');
const rounds = Number(arg('rounds') ?? 5);
const transactions = Number(arg('transactions') ?? 20_000);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const hex = (prefix: number, n: number) => `0x${prefix.toString(16).padStart(2, '0')}${n.toString(16).padStart(62, '0')}`;

/** The manager alone: `chains` chains of owned certificates, enqueued then released by commit notifications. Returns [per second, CPU µs per certificate]. */
async function managerRound(v: Validator, total: number, inputs: number, chains: number): Promise<[number, number]> {
  const store = new v.InMemoryObjectStore();
  const genesis = [];
  for (let c = 0; c < chains; c++) for (let k = 0; k < inputs; k++) genesis.push(v.genesisObject(hex(0x10 + k, c), { kind: 'address', address: hex(0xaa, c) }, { type: 'coin', balance: 1n }));
  await store.commit(v.genesisBatch(genesis));
  const committed = new Subject<CommittedOutputs>();
  const epochStore = new v.ReferenceEpochStore({ epoch: 0 } as never);
  const manager = new v.TransactionManager(
    { store, committed$: committed, loadEpochStoreOneCallPerTask: () => epochStore },
    { limits: { maxPendingAndExecuting: Infinity, maxPerObjectQueue: Infinity, maxQueueAgeMs: Infinity } },
  );
  const perChain = Math.ceil(total / chains);
  const certificates: CertifiedTransaction[] = [];
  const notifications: CommittedOutputs[] = [];
  const UNSIGNED = { epoch: 0, signature: new Uint8Array(96), signers: new Uint8Array(1) };
  const ids = Array.from({ length: chains }, (_, c) => Array.from({ length: inputs }, (_, k) => hex(0x10 + k, c)));
  let previous = ids.map((chainIds) => chainIds.map((id) => ({ id, version: 1, digest: hex(0xdd, 1) })));
  for (let i = 0; i < perChain; i++) {
    const next = ids.map((chainIds) => chainIds.map((id) => ({ id, version: i + 2, digest: hex(0xdd, i + 2) })));
    for (let c = 0; c < chains && certificates.length < total; c++) {
      const [gas, ...owned] = previous[c] as { id: string; version: number; digest: string }[];
      const certificate = {
        digest: `tx-${c}-${i}`,
        epoch: 0,
        quorumSignature: UNSIGNED,
        transactionBytes: new Uint8Array(0),
        data: { sender: hex(0xaa, c), inputs: owned.map((ref) => ({ kind: 'owned' as const, ref })), gas: { payment: gas as never, budget: 1n, price: 1n }, commands: [] },
      } as CertifiedTransaction;
      certificates.push(certificate);
      notifications.push({ certificate, written: next[c] as never, output: {} as never });
    }
    previous = next;
  }
  let released = 0;
  manager.ready$.subscribe(() => released++);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < certificates.length; i += 1_000) await manager.enqueue(certificates.slice(i, i + 1_000));
  for (const notification of notifications) committed.next(notification);
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (released !== total) throw new Error(`released ${released} of ${total}`);
  return [(total / elapsed) * 1000, (used.user + used.system) / total];
}

async function endToEndRound(v: Validator, e: EndToEnd, contention: number): Promise<[number, number]> {
  const workload = v.generateWorkload({ seed: 42, transactions, accounts: 2_000, contention, hotCounters: 4, invalidShare: 0.02, sign: false });
  const cpu = process.cpuUsage();
  const { perSecond } = await e.endToEndRun(workload, { outstanding: 2_000 });
  const used = process.cpuUsage(cpu);
  return [perSecond, (used.user + used.system) / transactions];
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const trees = [
    { name: 'before', validator: load(resolve(before as string, 'lib/validator')) as Validator, endToEnd: load(resolve(before as string, 'bench/end-to-end')) as EndToEnd },
    { name: 'after', validator: thisValidator, endToEnd: thisEndToEnd },
  ];
  const cells: { name: string; run: (t: (typeof trees)[number]) => Promise<[number, number]> }[] = [
    { name: 'manager alone, 100,000 × 2 inputs', run: (t) => managerRound(t.validator, 100_000, 2, 1_000) },
    { name: 'manager alone, 100,000 × 8 inputs', run: (t) => managerRound(t.validator, 100_000, 8, 1_000) },
    ...[0, 0.1, 0.5].map((contention) => ({ name: `end to end, ${contention * 100} % contention`, run: (t: (typeof trees)[number]) => endToEndRound(t.validator, t.endToEnd, contention) })),
  ];
  const figures = new Map<string, [number, number][]>();
  for (const tree of trees) for (const cell of cells) await cell.run(tree); // warm-up, both trees
  for (let round = 0; round < rounds; round++) {
    // Alternate which tree goes first, so neither always runs on the warmer (or the busier) machine.
    const order = round % 2 === 0 ? trees : [...trees].reverse();
    for (const cell of cells) {
      for (const tree of order) {
        const key = `${cell.name}|${tree.name}`;
        figures.set(key, [...(figures.get(key) ?? []), await cell.run(tree)]);
      }
    }
  }
  console.log(`${rounds} rounds, interleaved, medians; end to end: ${fmt(transactions)} transactions, 2,000 outstanding, in memory`);
  console.log('| benchmark | before | after |');
  console.log('|---|---|---|');
  const ratios: number[] = [];
  for (const cell of cells) {
    const [b, a] = trees.map((tree) => figures.get(`${cell.name}|${tree.name}`) as [number, number][]);
    const show = (xs: [number, number][]) => `${fmt(median(xs.map((x) => x[0])))} / s (${median(xs.map((x) => x[1])).toFixed(1)} µs CPU)`;
    console.log(`| ${cell.name} | ${show(b as never)} | ${show(a as never)} |`);
    if (cell.name.startsWith('end to end')) ratios.push(median((a as [number, number][]).map((x) => x[0])) / median((b as [number, number][]).map((x) => x[0])));
  }
  const geo = Math.exp(ratios.reduce((sum, r) => sum + Math.log(r), 0) / ratios.length);
  console.log(`\nEnd to end, geometric mean of after / before: ${geo.toFixed(3)}. Node ${process.version}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}.`);
}

void main();
