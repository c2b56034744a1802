import { Registry } from 'prom-client';
import winston from 'winston';
import Transport from 'winston-transport';
import type { CertifiedTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { certifyTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { CommitOrderError, PipelineStoppedError } from '../../../lib/validator/errors';
import { executeTransaction } from '../../../lib/validator/execution/execute-transaction';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { genesisObject } from '../../../lib/validator/execution/genesis';
import { InMemoryObjectStore } from '../../../lib/validator/storage/object-store';
import { type ObjectId, type StoredObject, refOf } from '../../../lib/validator/model/objects';
import { TransactionManagerMetrics } from '../../../lib/validator/manager/transaction-manager-metrics';
import type { TransactionData } from '../../../lib/validator/model/transactions';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { silentLogger } from '../../support/silent-logger';
import { id } from '../fixtures';
import { ResubmittingClient, until } from '../resubmitting-client';

const { committee, signers } = generateCommittee(0, [1, 1, 1, 1]);
const certify = (data: TransactionData): CertifiedTransaction => certifyTransaction(data, committee, signers.slice(0, 3));

/** Objects by id, advanced by running transactions in order: what each next transaction finds. */
class Shadow {
  readonly objects = new Map<ObjectId, StoredObject>();
  constructor(readonly genesis: StoredObject[]) {
    for (const object of genesis) this.objects.set(object.id, object);
  }
  ref(objectId: ObjectId) {
    return refOf(this.objects.get(objectId) as StoredObject);
  }
  run(certificate: CertifiedTransaction, gas: ObjectId): StoredObject[] {
    const inputs = new Map(certificate.data.inputs.map((input) => {
      const objectId = input.kind === 'shared' ? input.id : input.ref.id;
      return [objectId, this.objects.get(objectId) as StoredObject];
    }));
    const output = executeTransaction(certificate.data, certificate.digest, 0, { objects: inputs, gasCoin: this.objects.get(gas) as StoredObject });
    for (const object of output.written) this.objects.set(object.id, object);
    for (const key of output.deleted) this.objects.delete(key.id);
    return output.written.filter((o) => output.effects.created.some((c) => c.id === o.id));
  }
  final() {
    return [...this.objects.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((o) => [o.id, o.version, o.digest]);
  }
}

const coin = (n: number, address: string, balance = 1_000_000n) => genesisObject(id(n), { kind: 'address', address }, { type: 'coin', balance });
const counter = genesisObject(id(0xc0), { kind: 'shared', initialSharedVersion: 1 }, { type: 'counter', value: 0n });

/** Five payers each pay a receiver a new coin; five merges each fold that coin into the receiver's own. */
function paymentsAndMerges() {
  const genesis: StoredObject[] = [];
  const people = [0, 1, 2, 3, 4].map((i) => {
    const payer = id(0x100 + i);
    const receiver = id(0x200 + i);
    const objects = { payerGas: coin(0x1000 + i, payer), payerCoin: coin(0x1100 + i, payer), receiverGas: coin(0x1200 + i, receiver), receiverCoin: coin(0x1300 + i, receiver) };
    genesis.push(...Object.values(objects));
    return { payer, receiver, ...objects };
  });
  const shadow = new Shadow(genesis);
  const payments: CertifiedTransaction[] = [];
  const merges: CertifiedTransaction[] = [];
  for (const p of people) {
    const payment = certify({
      sender: p.payer,
      inputs: [{ kind: 'owned', ref: shadow.ref(p.payerCoin.id) }],
      gas: { payment: shadow.ref(p.payerGas.id), budget: 100_000n, price: 1n },
      commands: [{ kind: 'pay', coin: p.payerCoin.id, recipients: [{ address: p.receiver, amount: 7n }] }],
    });
    const [created] = shadow.run(payment, p.payerGas.id);
    const received = created as StoredObject;
    const merge = certify({
      sender: p.receiver,
      inputs: [{ kind: 'owned', ref: shadow.ref(p.receiverCoin.id) }, { kind: 'owned', ref: refOf(received) }],
      gas: { payment: shadow.ref(p.receiverGas.id), budget: 100_000n, price: 1n },
      commands: [{ kind: 'merge-coins', target: p.receiverCoin.id, sources: [received.id] }],
    });
    shadow.run(merge, p.receiverGas.id);
    payments.push(payment);
    merges.push(merge);
  }
  return { genesis, payments, merges, shadow };
}

/** A log transport that keeps what it is given. */
class Collect extends Transport {
  readonly lines: Record<string, unknown>[] = [];
  override log(info: Record<string, unknown>, next: () => void): void {
    this.lines.push(info);
    next();
  }
}

describe('admission never deadlocks on objects yet to be created', () => {
  it('five merges of coins not created yet, then the five payments creating them, pending limit 5: all ten execute once', async () => {
    const { genesis, payments, merges, shadow } = paymentsAndMerges();
    const store = new InMemoryObjectStore();
    const pipeline = await startValidatorPipeline({ committee, genesis, store, logger: silentLogger, limits: { maxPendingAndExecuting: 5 } });
    const committed = new Map<string, number>();
    pipeline.state.committed$.subscribe(({ certificate }) => committed.set(certificate.digest, (committed.get(certificate.digest) ?? 0) + 1));
    for (const merge of merges) expect(await pipeline.submit([merge])).toEqual(['pending']);
    expect(pipeline.manager.load).toMatchObject({ ordinary: 0, awaitingCreation: 5 });
    const client = new ResubmittingClient(pipeline, () => 1);
    for (const payment of payments) await client.submit([payment]);
    await until(() => committed.size === 10, () => `${committed.size} of 10 committed, ${client.refusals} refusals, ${JSON.stringify(pipeline.manager.counts)}`);
    client.stop();
    const summary = await pipeline.stop();
    expect([...committed.values()]).toEqual(Array(10).fill(1));
    expect(summary.heldByManager).toEqual([]);
    expect(store.liveObjects().map((o) => [o.id, o.version, o.digest])).toEqual(shadow.final());
  });

  it('admits the creator of an awaited object past a full pending limit (causal admission)', async () => {
    const { genesis, payments, merges } = paymentsAndMerges();
    const pipeline = await startValidatorPipeline({ committee, genesis, logger: silentLogger, limits: { maxPendingAndExecuting: 1, maxAwaitingCreation: 1 } });
    // The merge waits in its own budget; a certificate for a version that never comes fills the ordinary one.
    expect(await pipeline.submit([merges[0] as CertifiedTransaction])).toEqual(['pending']);
    const blocker = certify({ ...(payments[1] as CertifiedTransaction).data, gas: { ...(payments[1] as CertifiedTransaction).data.gas, payment: { ...(payments[1] as CertifiedTransaction).data.gas.payment, version: 99 } } });
    expect(await pipeline.submit([blocker])).toEqual(['pending']);
    // The ordinary budget is full: one more that would wait, and writes nothing awaited, is refused.
    const waits = certify({ ...blocker.data, gas: { ...blocker.data.gas, payment: { ...blocker.data.gas.payment, version: 100 } } });
    await expect(pipeline.submit([waits])).rejects.toMatchObject({ limit: 'pending-and-executing' });
    // The payment whose coin the merge waits for gets in regardless, and both execute.
    expect(await pipeline.submit([payments[0] as CertifiedTransaction])).toEqual(['ready']);
    await until(() => pipeline.manager.counts.pending === 1, () => JSON.stringify(pipeline.manager.counts));
    expect((await pipeline.stop()).heldByManager.map((p) => p.certificate.digest)).toEqual([blocker.digest]);
  });

  it('hands back, with a typed refusal, a metric and a log line, what waits past the budget or the age limit for an object not created yet', async () => {
    const { genesis, merges } = paymentsAndMerges();
    const registry = new Registry();
    const logs = new Collect();
    let now = 0;
    const pipeline = await startValidatorPipeline({
      committee,
      genesis,
      logger: winston.createLogger({ transports: [logs] }),
      managerMetrics: new TransactionManagerMetrics(registry),
      limits: { maxAwaitingCreation: 2, maxAwaitingCreationAgeMs: 1_000 },
    });
    (pipeline.manager as unknown as { now: () => number }).now = () => now; // the age limit reads the manager's clock
    const handedBack: { digest: string; limit: string; objectId: string | undefined }[] = [];
    pipeline.handedBack$.subscribe(({ certificate, error }) => handedBack.push({ digest: certificate.digest, limit: error.limit, objectId: error.objectId }));
    const [m0, m1, m2, m3] = merges as [CertifiedTransaction, CertifiedTransaction, CertifiedTransaction, CertifiedTransaction];
    const awaited = (merge: CertifiedTransaction) => (merge.data.inputs[1] as { ref: { id: string } }).ref.id;
    expect(await pipeline.submit([m0, m1, m2])).toEqual(['pending', 'pending', 'handed-back']);
    expect(handedBack).toEqual([{ digest: m2.digest, limit: 'awaiting-creation', objectId: awaited(m2) }]);
    expect(pipeline.manager.counts.pending).toBe(2);
    now = 1_500;
    expect(await pipeline.submit([m3])).toEqual(['pending']); // the two older ones expire first, freeing their places
    expect(handedBack.slice(1)).toEqual([
      { digest: m0.digest, limit: 'awaiting-creation-age', objectId: awaited(m0) },
      { digest: m1.digest, limit: 'awaiting-creation-age', objectId: awaited(m1) },
    ]);
    expect(pipeline.manager.counts).toEqual({ pending: 1, executing: 0, missingObjects: 1 }); // m3 waits for the coin it was to receive
    const metric = await registry.getSingleMetric('transaction_manager_handed_back_total')?.get();
    const value = (reason: string) => metric?.values.find((v) => v.labels.reason === reason)?.value;
    expect([value('awaiting-creation'), value('awaiting-creation-age')]).toEqual([1, 2]);
    expect(logs.lines.filter((l) => l.message === 'Certificate handed back').map((l) => l.digest)).toEqual([m2.digest, m0.digest, m1.digest]);
    await pipeline.stop();
  });
});

describe('a certificate sequenced twice', () => {
  async function counterPipeline(increments: number) {
    const owners = Array.from({ length: increments }, (_, i) => id(0x300 + i));
    const gas = owners.map((owner, i) => coin(0x3000 + i, owner));
    const store = new InMemoryObjectStore();
    const pipeline = await startValidatorPipeline({ committee, genesis: [counter, ...gas], store, logger: silentLogger });
    const certificates = owners.map((owner, i) =>
      certify({
        sender: owner,
        inputs: [{ kind: 'shared', id: counter.id, initialSharedVersion: 1, mutable: true }],
        gas: { payment: refOf(gas[i] as StoredObject), budget: 100_000n, price: 1n },
        commands: [{ kind: 'increment-counter', counter: counter.id, by: 1n }],
      }),
    );
    // The state sequential execution in this order reaches.
    const shadow = new Shadow([counter, ...gas]);
    for (const [i, certificate] of certificates.entries()) shadow.run(certificate, (gas[i] as StoredObject).id);
    const committed: string[] = [];
    pipeline.state.committed$.subscribe(({ certificate }) => committed.push(certificate.digest));
    return { pipeline, store, certificates, shadow, committed };
  }

  it.each([
    ['in the same commit', [[0, 1, 2, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]],
    ['in the next commit', [[0, 1, 2, 3], [2, 4, 5, 6, 7], [8, 9, 10, 11]]],
    ['in the same commit and two commits later', [[0, 1, 2, 3, 1], [4, 5, 6, 7], [2, 8, 9, 10, 11]]],
  ])('%s: assigns no version, consumes none, and the rest executes as if it were absent', async (_, commits) => {
    const { pipeline, store, certificates, shadow, committed } = await counterPipeline(12);
    const results: string[][] = [];
    for (const [index, batch] of commits.entries()) {
      results.push(await pipeline.commit({ digest: `c${index}`, index, certificates: batch.map((n) => certificates[n] as CertifiedTransaction) }));
    }
    expect(results.flat().filter((r) => r.startsWith('already-'))).toHaveLength(commits.flat().length - 12);
    await until(() => committed.length >= 12, () => `${committed.length} of 12 committed; ${JSON.stringify(pipeline.manager.counts)}`);
    await pipeline.stop();
    expect(new Set(committed).size).toBe(12);
    expect(committed).toHaveLength(12);
    expect(store.liveObjects().map((o) => [o.id, o.version, o.digest])).toEqual(shadow.final());
  });

  it('after it executed: answered already-executed, moving nothing', async () => {
    const { pipeline, store, certificates, shadow, committed } = await counterPipeline(4);
    const [a, b, c, d] = certificates as [CertifiedTransaction, CertifiedTransaction, CertifiedTransaction, CertifiedTransaction];
    await pipeline.commit({ digest: 'c0', index: 0, certificates: [a, b] });
    await until(() => committed.length === 2, () => `${committed.length} committed`);
    expect(await pipeline.commit({ digest: 'c1', index: 1, certificates: [a, c, b, d] })).toEqual(['already-executed', expect.stringMatching(/ready|pending/), 'already-executed', 'pending']);
    await until(() => committed.length === 4, () => `${committed.length} committed; ${JSON.stringify(pipeline.manager.counts)}`);
    await pipeline.stop();
    expect(store.liveObjects().map((o) => [o.id, o.version, o.digest])).toEqual(shadow.final());
  });

  it('a redelivered commit (same index, same certificates) changes nothing; any other commit going back is refused', async () => {
    const { pipeline, store, certificates, shadow, committed } = await counterPipeline(4);
    const [a, b, c, d] = certificates as [CertifiedTransaction, CertifiedTransaction, CertifiedTransaction, CertifiedTransaction];
    await pipeline.commit({ digest: 'c1', index: 1, certificates: [a, b] });
    expect(await pipeline.commit({ digest: 'c1', index: 1, certificates: [a, b] })).toEqual([expect.stringMatching(/^already-/), expect.stringMatching(/^already-/)]);
    const counts = pipeline.manager.counts;
    // Index 0 was never delivered: it goes back past commit 1.
    await expect(pipeline.commit({ digest: 'c0', index: 0, certificates: [c] })).rejects.toMatchObject({ problem: 'went-back', index: 0, lastIndex: 1 });
    const conflicting = pipeline.commit({ digest: 'c1', index: 1, certificates: [a, c] });
    await expect(conflicting).rejects.toThrow(CommitOrderError);
    await expect(conflicting).rejects.toMatchObject({ problem: 'conflicting-redelivery' });
    expect(pipeline.manager.counts).toEqual(counts); // nothing of the refused commits was kept
    await pipeline.commit({ digest: 'c2', index: 2, certificates: [c, d] });
    await until(() => committed.length === 4, () => `${committed.length} committed`);
    await pipeline.stop();
    expect(committed).toHaveLength(4);
    expect(store.liveObjects().map((o) => [o.id, o.version, o.digest])).toEqual(shadow.final());
  });
});

describe('stop', () => {
  it('hands back what the manager holds next to what the driver never started, and refuses afterwards, keeping nothing', async () => {
    const { genesis, merges, payments } = paymentsAndMerges();
    const pipeline = await startValidatorPipeline({ committee, genesis, logger: silentLogger });
    pipeline.driver.pause(); // released certificates wait in the driver's backlog
    expect(await pipeline.submit([merges[0] as CertifiedTransaction, payments[1] as CertifiedTransaction])).toEqual(['pending', 'ready']);
    const stopping = pipeline.stop();
    // While it stops, and after: refused, nothing kept.
    await expect(pipeline.submit([payments[2] as CertifiedTransaction])).rejects.toThrow(PipelineStoppedError);
    await expect(pipeline.commit({ digest: 'c0', index: 0, certificates: [] })).rejects.toThrow(PipelineStoppedError);
    const summary = await stopping;
    expect(summary.heldByManager.map((p) => p.certificate.digest)).toEqual([(merges[0] as CertifiedTransaction).digest]);
    expect(summary.unstarted.map((p) => p.certificate.digest)).toEqual([(payments[1] as CertifiedTransaction).digest]);
    await expect(pipeline.submit([payments[3] as CertifiedTransaction])).rejects.toThrow(PipelineStoppedError);
    expect(pipeline.manager.counts.pending).toBe(0);
    expect(await pipeline.stop()).toBe(summary);
  });

  it('holds a certificate whose inputs arrive while stopping, and hands it back', async () => {
    const { genesis, merges, payments } = paymentsAndMerges();
    const pipeline = await startValidatorPipeline({ committee, genesis, logger: silentLogger });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const execute = pipeline.state.tryExecuteImmediately.bind(pipeline.state);
    pipeline.state.tryExecuteImmediately = async (...args) => (await gate, execute(...args));
    await pipeline.submit([payments[0], merges[0]]);
    const stopping = pipeline.stop(); // drain: the payment finishes, and its coin makes the merge ready
    release();
    const summary = await stopping;
    expect(summary.executed).toBe(1);
    expect(summary.heldByManager.map((p) => p.certificate.digest)).toEqual([(merges[0] as CertifiedTransaction).digest]);
  });
});
