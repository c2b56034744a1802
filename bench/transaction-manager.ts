/**
 * The TransactionManager alone, in a process of its own: enqueue then commit
 * notification, certificates with 2 and 8 inputs, at 10k, 100k and 1M.
 *
 *   npx tsx bench/transaction-manager.ts [--quick] [--sizes=100000,1000000]
 */
import { Subject } from 'rxjs';
import { type CertifiedTransaction, type CommittedOutputs, InMemoryObjectStore, type ObjectRef, ReferenceEpochStore, TransactionManager, genesisBatch, genesisObject } from '../lib/validator';

const quick = process.argv.includes('--quick');
const hex = (prefix: number, n: number) => `0x${prefix.toString(16).padStart(2, '0')}${n.toString(16).padStart(62, '0')}`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * `chains` independent chains of certificates; certificate i of a chain takes
 * the chain's `inputs` objects at version i + 1 and writes them at i + 2.
 */
async function transactionManagerRound(total: number, inputs: number, chains: number): Promise<number> {
  const store = new InMemoryObjectStore();
  const genesis = [];
  for (let c = 0; c < chains; c++) {
    for (let k = 0; k < inputs; k++) genesis.push(genesisObject(hex(0x10 + k, c), { kind: 'address', address: hex(0xaa, c) }, { type: 'coin', balance: 1n }));
  }
  await store.commit(genesisBatch(genesis));
  const committed = new Subject<CommittedOutputs>();
  // The reference epoch store (only its epoch is read of the committee): each commit notification drops the claims on what it wrote.
  const epochStore = new ReferenceEpochStore({ epoch: 0 } as never);
  // Admission limits off: this measures throughput (a 1M backlog is older than 1 s by design).
  const manager = new TransactionManager(
    { store, committed$: committed, loadEpochStoreOneCallPerTask: () => epochStore },
    { limits: { maxPendingAndExecuting: Infinity, maxPerObjectQueue: Infinity, maxQueueAgeMs: Infinity } },
  );
  const perChain = Math.ceil(total / chains);
  const certificates: CertifiedTransaction[] = [];
  // The manager never reads a certificate's bytes or signature: one empty array and one unsigned quorum for all, and no encoding in the setup.
  const NO_BYTES = new Uint8Array(0);
  const UNSIGNED = { epoch: 0, signature: new Uint8Array(96), signers: new Uint8Array(1) };
  // Ids and digests interned, and each version's refs built once: certificate i's outputs are
  // certificate i + 1's inputs. Keeps the benchmark's own data small next to the manager's at 1M.
  const ids = Array.from({ length: chains }, (_, c) => Array.from({ length: inputs }, (_, k) => hex(0x10 + k, c)));
  const digests = Array.from({ length: perChain + 2 }, (_, version) => hex(0xdd, version));
  let previous: ObjectRef[][] = ids.map((chainIds) => chainIds.map((id) => ({ id, version: 1, digest: digests[1] as string })));
  const notifications: CommittedOutputs[] = [];
  for (let i = 0; i < perChain; i++) {
    const next = ids.map((chainIds) => chainIds.map((id) => ({ id, version: i + 2, digest: digests[i + 2] as string })));
    for (let c = 0; c < chains && certificates.length < total; c++) {
      const [gas, ...owned] = previous[c] as ObjectRef[];
      const certificate: CertifiedTransaction = {
        digest: `tx-${c}-${i}`,
        epoch: 0,
        quorumSignature: UNSIGNED,
        transactionBytes: NO_BYTES,
        data: {
          sender: hex(0xaa, c),
          inputs: owned.map((ref) => ({ kind: 'owned', ref })),
          gas: { payment: gas as ObjectRef, budget: 1n, price: 1n },
          commands: [],
        },
      };
      certificates.push(certificate);
      // Prepared up front, so the timed loop measures the manager alone.
      notifications.push({ certificate, written: next[c] as ObjectRef[], output: {} as never });
    }
    previous = next;
  }
  let released = 0;
  manager.ready$.subscribe(() => released++);
  const started = performance.now();
  for (let i = 0; i < certificates.length; i += 1_000) await manager.enqueue(certificates.slice(i, i + 1_000));
  // In execution order: each releases the next certificate of its chain.
  for (const notification of notifications) committed.next(notification);
  const elapsed = performance.now() - started;
  if (released !== total) throw new Error(`released ${released} of ${total}`);
  return (total / elapsed) * 1000;
}

async function main(): Promise<void> {
  console.log('TransactionManager alone: enqueue (batches of 1,000) then commit notifications; 1,000 independent chains');
  console.log('| N | inputs | certificates / s | µs / certificate |');
  console.log('|---|---|---|---|');
  const sizesArg = process.argv.find((a) => a.startsWith('--sizes='));
  const sizes = sizesArg ? sizesArg.slice('--sizes='.length).split(',').map(Number) : quick ? [10_000] : [10_000, 100_000, 1_000_000];
  for (const inputs of [2, 8]) {
    for (const n of sizes) {
      await transactionManagerRound(Math.min(n, 10_000), inputs, 1_000); // warm-up
      const rate = await transactionManagerRound(n, inputs, 1_000);
      console.log(`| ${fmt(n)} | ${inputs} | ${fmt(rate)} | ${(1e6 / rate).toFixed(2)} |`);
    }
  }
  console.log(`\nNode ${process.version}, one process on this machine.`);
}

void main();
