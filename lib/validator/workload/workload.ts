import { type CertifiedTransaction, certifyTransaction } from '../certificates/certified-transaction';
import type { Committee } from '../certificates/committee';
import { executeTransaction } from '../execution/execute-transaction';
import { type CommitteeSigner, generateCommittee } from '../certificates/generated-committee';
import { genesisObject } from '../execution/genesis';
import { executeCancelled } from '../execution/cancelled-execution';
import { type ObjectId, type ObjectRef, type StoredObject, refOf } from '../model/objects';
import { seededRandom } from './seeded-random';
import type { InputObject, TransactionData } from '../model/transactions';
import { ownedRefsOf } from '../execution/reference-epoch-store';

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
  /**
   * Share of shared-counter transactions that also name an owned input that
   * can never be read as named (0 to 1): the sender's own coin at a version
   * it spent already, or at its version with another digest. Consensus
   * sequences them and they are executed as cancelled (`executeCancelled`):
   * the counter is written at their Lamport version unchanged, nothing owned
   * moves. The spent version is one the sender's earlier transaction consumed,
   * and the gas coin it pays with was written by that transaction, so it is
   * spent by the time the certificate can run, in every order.
   */
  readonly cancelledShare?: number;
  /**
   * Share of shared-counter transactions that also spend the sender's coin
   * (0 to 1), each followed by a twin: another transaction of the same sender
   * naming the same coin and gas coin versions, on another counter. Both are
   * sequenced; the first claims those versions, so the twin is cancelled at
   * sequencing on every validator, however execution is timed (the shadow
   * decides the same, see `ReferenceEpochStore.claimOwned`). With one
   * counter, the twin increments the same one.
   */
  readonly conflictShare?: number;
  /** Share of certificates delivered twice (0 to 1). */
  readonly duplicateShare?: number;
  readonly epoch?: number;
  /** Validators' stakes, in committee order. Default four of equal stake. Keys derive from `seed` (`generateCommittee`). */
  readonly stakes?: readonly number[];
  /**
   * Sign certificates (default true): the first members in committee order
   * holding a quorum of stake, one BLS aggregate. Each costs a BLS signature
   * (about 0.6 ms here); unsigned ones are for pre-verified benchmarks.
   */
  readonly sign?: boolean;
  /**
   * Once an account holds this many coins received in payments, its next
   * transaction merges them into its own coin. Keeps the number of live
   * objects bounded in a long run (a demo); default: never merge.
   */
  readonly mergeReceivedCoins?: number;
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
  readonly signers: readonly CommitteeSigner[];
  readonly genesis: readonly StoredObject[];
  /** In sequential (commit) order. */
  readonly steps: readonly WorkloadStep[];
  /** Certificates delivered again, to exercise dedupe. */
  readonly duplicates: readonly CertifiedTransaction[];
  /** Every live object after executing `steps` in order, sorted by id. */
  readonly expectedFinalObjects: readonly StoredObject[];
}

/** An account of the workload: its gas coin, its coin, coins received, and the version of its coin it spent last. */
interface Account {
  readonly address: string;
  readonly gasId: ObjectId;
  readonly coinId: ObjectId;
  readonly received: ObjectId[];
  spentCoin: ObjectRef | undefined;
}

const hex32 = (prefix: number, n: number) => `0x${prefix.toString(16).padStart(2, '0')}${n.toString(16).padStart(62, '0')}`;

/** Knobs of a {@link WorkloadGenerator}: the workload options without a fixed length. */
export type WorkloadGeneratorOptions = Omit<WorkloadOptions, 'transactions' | 'duplicateShare'>;

/**
 * A seeded, endless workload: accounts with a gas coin and a coin each, owned
 * payments between them, a share sent to a few hot shared counters, and some
 * invalid transactions (which abort and still pay gas). A shadow copy of the
 * state runs every transaction through the same deterministic executor, so
 * each names the exact input versions it will find, and the final state is
 * known in advance. `contention` and `invalidShare` may change between calls
 * to `next`; `advanceEpoch` certifies what follows in a new epoch.
 *
 * The shadow assumes every generated transaction executes, in order (shared
 * ones in generation order): a consumer that drops one (a failure it does not
 * resubmit, an epoch change with certificates still pending) leaves later ones
 * waiting for versions that never come.
 */
export class WorkloadGenerator {
  committee: Committee;
  signers: readonly CommitteeSigner[];
  readonly genesis: readonly StoredObject[];
  /** Share of transactions that increment a hot shared counter (0 to 1). */
  contention: number;
  /** Share of transactions that abort (0 to 1). */
  invalidShare: number;
  /** Share of shared-counter transactions executed as cancelled (0 to 1): see `WorkloadOptions.cancelledShare`. */
  cancelledShare: number;
  /** Transactions generated so far. */
  generated = 0;
  /** Transactions generated to be cancelled so far. */
  private cancelled = 0;
  /** Share of shared-counter transactions followed by a conflicting twin: see `WorkloadOptions.conflictShare`. */
  conflictShare: number;
  /** The twin of the last conflicting transaction, generated next. */
  private twin: { readonly data: TransactionData; readonly gasId: ObjectId } | undefined;
  /**
   * Owned versions claimed by the shadow's sequenced transactions, in
   * generation (commit) order, for the epoch: as the TransactionManager
   * claims them. Never dropped here: a claim is dropped only once its version
   * is spent, and a sequenced transaction naming a spent version is cancelled
   * either way, so keeping it changes nothing.
   */
  private readonly claims = new Map<string, string>();
  /** Per gas coin, the digests generated paying with its latest version paid with (one per account): none may repeat. */
  private readonly paidWith = new Map<ObjectId, { readonly version: number; readonly digests: Set<string> }>();
  /** Draws whether a shared step gets a conflicting twin: a stream of its own, as `cancelRandom`. */
  private readonly conflictRandom: () => number;
  private epoch: number;
  private readonly random: () => number;
  /** Draws whether a shared step is cancelled: a stream of its own, so the other draws of a seed stay as they were. */
  private readonly cancelRandom: () => number;
  private readonly shadow = new Map<ObjectId, StoredObject>();
  private readonly accounts: readonly Account[];
  private readonly accountByAddress = new Map<string, Account>();
  private readonly counters: readonly ObjectId[];
  /** Who signs each certificate: the first members holding a quorum of stake. */
  private quorum: readonly CommitteeSigner[];

  constructor(private readonly options: WorkloadGeneratorOptions) {
    this.random = seededRandom(options.seed);
    this.cancelRandom = seededRandom(options.seed ^ 0x0ca9ce1);
    this.epoch = options.epoch ?? 0;
    this.contention = options.contention ?? 0;
    this.invalidShare = options.invalidShare ?? 0;
    this.cancelledShare = options.cancelledShare ?? 0;
    this.conflictShare = options.conflictShare ?? 0;
    this.conflictRandom = seededRandom(options.seed ^ 0xc0f11c7);
    ({ committee: this.committee, signers: this.signers } = generateCommittee(this.epoch, options.stakes ?? [1, 1, 1, 1], options.seed));
    this.quorum = quorumOf(this.committee, this.signers);
    this.accounts = Array.from({ length: options.accounts }, (_, i) => {
      const address = hex32(0xa0, i);
      const gas = genesisObject(hex32(0xc0, i), { kind: 'address', address }, { type: 'coin', balance: 10n ** 12n });
      const coin = genesisObject(hex32(0xc1, i), { kind: 'address', address }, { type: 'coin', balance: 1_000_000n });
      this.shadow.set(gas.id, gas);
      this.shadow.set(coin.id, coin);
      const account: Account = { address, gasId: gas.id, coinId: coin.id, received: [], spentCoin: undefined };
      this.accountByAddress.set(address, account);
      return account;
    });
    this.counters = Array.from({ length: options.hotCounters ?? 2 }, (_, i) => {
      const counter = genesisObject(hex32(0xd0, i), { kind: 'shared', initialSharedVersion: 1 }, { type: 'counter', value: 0n });
      this.shadow.set(counter.id, counter);
      return counter.id;
    });
    this.genesis = [...this.shadow.values()];
  }

  /** Certify what follows in `epoch`, with a fresh committee (of the same stakes, keys derived for that epoch). */
  advanceEpoch(epoch: number): void {
    this.epoch = epoch;
    this.claims.clear(); // claims belong to their epoch
    ({ committee: this.committee, signers: this.signers } = generateCommittee(epoch, this.options.stakes ?? [1, 1, 1, 1], this.options.seed));
    this.quorum = quorumOf(this.committee, this.signers);
  }

  /** Every live object after executing all generated steps in order, sorted by id. */
  expectedFinalObjects(): StoredObject[] {
    return [...this.shadow.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** The next `count` steps, in the order a sequential validator would run them. */
  next(count: number): WorkloadStep[] {
    const steps: WorkloadStep[] = [];
    for (let n = 0; n < count; n++) steps.push(this.step());
    this.generated += count;
    return steps;
  }

  /** True with probability `p` (consumes one random number). */
  chance(p: number): boolean {
    return this.random() < p;
  }

  /** A uniformly random item (consumes one random number). */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  private step(): WorkloadStep {
    const twin = this.twin;
    if (twin) {
      this.twin = undefined;
      return this.certifyAndShadow(twin.data, true, twin.gasId);
    }
    const { random, accounts, counters } = this;
    const current = (id: ObjectId) => this.shadow.get(id) as StoredObject;
    const from = this.pick(accounts);
    const to = this.pick(accounts);
    const gas = { payment: refOf(current(from.gasId)), budget: 1_000_000n, price: 1n };
    let data: TransactionData;
    let shared = false;
    const mergeAt = this.options.mergeReceivedCoins;
    if (mergeAt !== undefined && from.received.length >= mergeAt) {
      const sources = from.received.splice(0);
      data = {
        sender: from.address,
        inputs: [from.coinId, ...sources].map((id) => ({ kind: 'owned', ref: refOf(current(id)) }) as const),
        gas,
        commands: [{ kind: 'merge-coins', target: from.coinId, sources }],
      };
      return this.certifyAndShadow(data, false, from.gasId);
    }
    const roll = random();
    if (roll < this.contention && counters.length > 0) {
      const counter = this.pick(counters);
      shared = true;
      data = {
        sender: from.address,
        inputs: [{ kind: 'shared', id: counter, initialSharedVersion: 1, mutable: true }],
        gas,
        commands: [{ kind: 'increment-counter', counter, by: 1n }],
      };
      if (this.cancelledShare > 0 && this.cancelRandom() < this.cancelledShare) {
        // Its own coin, spent already (the version its last spend consumed), or else at its version with another digest.
        const coin = from.spentCoin ?? { ...refOf(current(from.coinId)), digest: hex32(0xee, this.cancelled) };
        // Its own budget: the same inputs again (a sender's gas does not move when it is cancelled) make another transaction, not a duplicate.
        data = { ...data, inputs: [{ kind: 'owned', ref: coin }, ...data.inputs], gas: { ...gas, budget: gas.budget + BigInt(this.cancelled++) } };
      } else if (this.conflictShare > 0 && this.conflictRandom() < this.conflictShare) {
        // It spends the sender's coin (an owned input is written at the Lamport version); its twin names the same coin and gas versions on another counter.
        const coin: InputObject = { kind: 'owned', ref: refOf(current(from.coinId)) };
        data = { ...data, inputs: [coin, ...data.inputs] };
        const other = counters[(counters.indexOf(counter) + 1) % counters.length] as ObjectId;
        this.twin = {
          gasId: from.gasId,
          data: {
            sender: from.address,
            inputs: [coin, { kind: 'shared', id: other, initialSharedVersion: 1, mutable: true }],
            gas: { ...gas, budget: gas.budget + 1n + BigInt(this.cancelled++) },
            commands: [{ kind: 'increment-counter', counter: other, by: 1n }],
          },
        };
      }
    } else if (random() < this.invalidShare) {
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
    return this.certifyAndShadow(data, shared, from.gasId);
  }

  private certifyAndShadow(data: TransactionData, shared: boolean, gasId: ObjectId): WorkloadStep {
    const { epoch } = this;
    const current = (id: ObjectId) => this.shadow.get(id) as StoredObject;
    let certificate = certifyTransaction(data, this.committee, this.options.sign === false ? [] : this.quorum);
    // A transaction cancelled at sequencing moves no gas coin, so the sender's next one could be the same transaction: make it another.
    const payment = data.gas.payment;
    let paid = this.paidWith.get(payment.id);
    if (paid?.version !== payment.version) this.paidWith.set(payment.id, (paid = { version: payment.version, digests: new Set() }));
    while (paid.digests.has(certificate.digest)) {
      data = { ...data, gas: { ...data.gas, budget: data.gas.budget + 1n } };
      certificate = certifyTransaction(data, this.committee, this.options.sign === false ? [] : this.quorum);
    }
    paid.digests.add(certificate.digest);
    const { digest } = certificate;
    // Run it on the shadow: shared inputs at their current version, as consensus would assign in this order.
    const objects = new Map<ObjectId, StoredObject>();
    // Sequenced: the first to name an owned version claims it, a later one naming it is cancelled at sequencing.
    let unavailable = shared && this.claimOwned(data, digest);
    for (const input of data.inputs) {
      const id = input.kind === 'shared' ? input.id : input.ref.id;
      const object = current(id);
      if (input.kind !== 'shared' && (object.version !== input.ref.version || object.digest !== input.ref.digest)) unavailable = true;
      objects.set(id, object);
    }
    // One its sender spends: remembered, so that a later cancelled one can name the version spent.
    const sender = this.accountByAddress.get(data.sender);
    const spends = sender && data.inputs.find((input) => input.kind === 'owned' && input.ref.id === sender.coinId);
    if (sender && spends && !unavailable) sender.spentCoin = (spends as { ref: ObjectRef }).ref;
    // Sequenced with an input that can never be read as named: cancelled, as the reference state does.
    const output = unavailable
      ? executeCancelled(data, digest, epoch, objects, 'input-unavailable')
      : executeTransaction(data, digest, epoch, { objects, gasCoin: current(gasId) });
    for (const object of output.written) this.shadow.set(object.id, object);
    for (const key of output.deleted) this.shadow.delete(key.id);
    if (this.options.mergeReceivedCoins !== undefined) {
      for (const ref of output.effects.created) {
        const owner = current(ref.id).owner;
        if (owner.kind === 'address') this.accountByAddress.get(owner.address)?.received.push(ref.id);
      }
    }
    return { certificate, shared };
  }

  /** As `ReferenceEpochStore.claimOwned`: claim its unclaimed owned versions; true if another transaction claimed one (it is cancelled). */
  private claimOwned(data: TransactionData, digest: string): boolean {
    const keys = ownedRefsOf(data).map((ref) => `${ref.id}@${ref.version}`);
    const conflict = keys.some((key) => (this.claims.get(key) ?? digest) !== digest);
    for (const key of keys) if (!this.claims.has(key)) this.claims.set(key, digest);
    return conflict;
  }
}

/** The first members, in committee order, whose stake reaches the quorum. */
function quorumOf(committee: Committee, signers: readonly CommitteeSigner[]): CommitteeSigner[] {
  const quorum: CommitteeSigner[] = [];
  let stake = 0;
  for (const signer of signers) {
    if (stake >= committee.quorumThreshold) break;
    quorum.push(signer);
    stake += committee.members[signer.index]?.stake ?? 0;
  }
  return quorum;
}

/**
 * A seeded workload of `transactions` steps (see {@link WorkloadGenerator}),
 * plus duplicates of a share of its certificates.
 */
export function generateWorkload(options: WorkloadOptions): Workload {
  const generator = new WorkloadGenerator(options);
  const steps = generator.next(options.transactions);
  const duplicates = steps.filter(() => generator.chance(options.duplicateShare ?? 0)).map((s) => s.certificate);
  return {
    committee: generator.committee,
    signers: generator.signers,
    genesis: generator.genesis,
    steps,
    duplicates,
    expectedFinalObjects: generator.expectedFinalObjects(),
  };
}
