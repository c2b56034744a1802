import type { KeyObject } from 'node:crypto';
import { type CertifiedTransaction, certifyTransaction, transactionDigest } from './certified-transaction';
import type { Committee } from './committee';
import { executeTransaction } from './execute-transaction';
import { generateCommittee } from './generated-committee';
import { genesisObject } from './genesis';
import { type ObjectId, type StoredObject, refOf } from './objects';
import { seededRandom } from './seeded-random';
import type { TransactionData } from './transactions';

/** Knobs of a generated workload. */
export interface WorkloadOptions {
  readonly seed: number;
  readonly transactions: number;
  readonly accounts: number;
  /** Share of transactions that increment one of the hot shared counters (0 to 1). */
  readonly contention?: number;
  readonly hotCounters?: number;
  /** Share of transactions that abort: overspending, or spending someone else's coin (0 to 1). */
  readonly invalidShare?: number;
  /** Share of certificates delivered twice (0 to 1). */
  readonly duplicateShare?: number;
  readonly epoch?: number;
  /** Validators' stakes. Default four of equal stake. */
  readonly stakes?: readonly number[];
  /** Sign certificates (default true). Unsigned ones are for pre-verified benchmarks. */
  readonly sign?: boolean;
}

/** One step of a workload, in the order a sequential validator would run it. */
export interface WorkloadStep {
  readonly certificate: CertifiedTransaction;
  /** Shared-object transactions must be ordered by consensus (`TransactionManager.commit`). */
  readonly shared: boolean;
}

/** A generated workload: genesis, committee, certificates, and the expected final state. */
export interface Workload {
  readonly committee: Committee;
  readonly signers: readonly { readonly name: string; readonly privateKey: KeyObject }[];
  readonly genesis: readonly StoredObject[];
  /** In sequential (commit) order. */
  readonly steps: readonly WorkloadStep[];
  /** Certificates delivered again, to exercise dedupe. */
  readonly duplicates: readonly CertifiedTransaction[];
  /** Every live object after executing `steps` in order, sorted by id. */
  readonly expectedFinalObjects: readonly StoredObject[];
}

const hex32 = (prefix: number, n: number) => `0x${prefix.toString(16).padStart(2, '0')}${n.toString(16).padStart(62, '0')}`;

/**
 * A seeded workload: accounts with a gas coin and a coin each, owned payments
 * between them, a share sent to a few hot shared counters, some invalid
 * transactions (which abort and still pay gas), and duplicates. A shadow copy
 * of the state runs every transaction through the same deterministic executor,
 * so each names the exact input versions it will find, and the final state is
 * known in advance.
 */
export function generateWorkload(options: WorkloadOptions): Workload {
  const random = seededRandom(options.seed);
  const epoch = options.epoch ?? 0;
  const { committee, signers } = generateCommittee(epoch, options.stakes ?? [1, 1, 1, 1]);
  const quorum = signers.slice(0, Math.ceil(((options.stakes?.length ?? 4) * 2 + 1) / 3));
  const shadow = new Map<ObjectId, StoredObject>();
  const accounts = Array.from({ length: options.accounts }, (_, i) => {
    const address = hex32(0xa0, i);
    const gas = genesisObject(hex32(0xc0, i), { kind: 'address', address }, { type: 'coin', balance: 10n ** 12n });
    const coin = genesisObject(hex32(0xc1, i), { kind: 'address', address }, { type: 'coin', balance: 1_000_000n });
    shadow.set(gas.id, gas);
    shadow.set(coin.id, coin);
    return { address, gasId: gas.id, coinId: coin.id };
  });
  const counters = Array.from({ length: options.hotCounters ?? 2 }, (_, i) => {
    const counter = genesisObject(hex32(0xd0, i), { kind: 'shared', initialSharedVersion: 1 }, { type: 'counter', value: 0n });
    shadow.set(counter.id, counter);
    return counter.id;
  });
  const genesis = [...shadow.values()];
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const current = (id: ObjectId) => shadow.get(id) as StoredObject;

  const steps: WorkloadStep[] = [];
  for (let n = 0; n < options.transactions; n++) {
    const from = pick(accounts);
    const to = pick(accounts);
    const gas = { payment: refOf(current(from.gasId)), budget: 1_000_000n, price: 1n };
    let data: TransactionData;
    let shared = false;
    const roll = random();
    if (roll < (options.contention ?? 0) && counters.length > 0) {
      const counter = pick(counters);
      shared = true;
      data = {
        sender: from.address,
        inputs: [{ kind: 'shared', id: counter, initialSharedVersion: 1, mutable: true }],
        gas,
        commands: [{ kind: 'increment-counter', counter, by: 1n }],
      };
    } else if (random() < (options.invalidShare ?? 0)) {
      // Invalid: overspend, or spend another account's coin.
      const victim = random() < 0.5 ? from : to;
      data = {
        sender: from.address,
        inputs: [{ kind: 'owned', ref: refOf(current(victim.coinId)) }],
        gas,
        commands: [{ kind: 'pay', coin: victim.coinId, recipients: [{ address: to.address, amount: victim === from ? 10n ** 15n : 1n }] }],
      };
    } else {
      data = {
        sender: from.address,
        inputs: [{ kind: 'owned', ref: refOf(current(from.coinId)) }],
        gas,
        commands: [{ kind: 'pay', coin: from.coinId, recipients: [{ address: to.address, amount: BigInt(1 + Math.floor(random() * 100)) }] }],
      };
    }
    const digest = transactionDigest(data);
    const certificate = options.sign === false ? { digest, epoch, data, signatures: [] } : certifyTransaction(data, epoch, quorum);
    // Run it on the shadow: shared inputs at their current version, as consensus would assign in this order.
    const objects = new Map<ObjectId, StoredObject>();
    for (const input of data.inputs) {
      const id = input.kind === 'shared' ? input.id : input.ref.id;
      objects.set(id, current(id));
    }
    const output = executeTransaction(data, digest, epoch, { objects, gasCoin: current(from.gasId) });
    for (const object of output.written) shadow.set(object.id, object);
    for (const key of output.deleted) shadow.delete(key.id);
    steps.push({ certificate, shared });
  }
  const duplicates = steps.filter(() => random() < (options.duplicateShare ?? 0)).map((s) => s.certificate);
  return {
    committee,
    signers,
    genesis,
    steps,
    duplicates,
    expectedFinalObjects: [...shadow.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}
