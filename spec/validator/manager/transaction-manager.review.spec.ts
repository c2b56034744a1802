import { certifyTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { genesisObject } from '../../../lib/validator/execution/genesis';
import { refOf } from '../../../lib/validator/model/objects';
import { TransactionManager } from '../../../lib/validator/manager/transaction-manager';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { silentLogger } from '../../support/silent-logger';
import { ALICE, id, setup } from '../fixtures';
import { until } from '../resubmitting-client';

describe('TransactionManager: a certificate that will not execute takes no shared version', () => {
  it('assigns no version to a wrong-epoch certificate in a commit, so the next one on the object runs', async () => {
    const { state, gas, coin, certify, increment } = await setup();
    const manager = new TransactionManager(state);
    const stale = certify(increment(refOf(coin)), 7);
    const good = certify(increment(refOf(gas), 5n));
    expect(await manager.commit({ digest: 'c0', index: 0, certificates: [stale, good] })).toEqual(['wrong-epoch', 'ready']);
    expect(state.loadEpochStoreOneCallPerTask().sharedVersionsOf(stale.digest)).toBeUndefined();
    expect(state.loadEpochStoreOneCallPerTask().sharedVersionsOf(good.digest)).toEqual(new Map([[id(3), 1]]));
  });

  async function pipelineWithCounter(options: { verifySignatures?: boolean; limits?: { maxPendingAndExecuting: number } } = {}) {
    const { committee, signers } = generateCommittee(0, [1, 1, 1, 1]);
    const gas = genesisObject(id(1), { kind: 'address', address: ALICE }, { type: 'coin', balance: 1_000_000n });
    const coin = genesisObject(id(2), { kind: 'address', address: ALICE }, { type: 'coin', balance: 100n });
    const counter = genesisObject(id(3), { kind: 'shared', initialSharedVersion: 1 }, { type: 'counter', value: 0n });
    const pipeline = await startValidatorPipeline({ committee, genesis: [gas, coin, counter], logger: silentLogger, ...options });
    const increment = (payment: ReturnType<typeof refOf>, by: bigint) => ({
      sender: ALICE,
      inputs: [{ kind: 'shared' as const, id: counter.id, initialSharedVersion: 1, mutable: true }],
      gas: { payment, budget: 10_000n, price: 1n },
      commands: [{ kind: 'increment-counter' as const, counter: counter.id, by }],
    });
    const counterValue = async () => ((await pipeline.state.store.readLatest([counter.id]))[0] as { contents: { value: bigint } }).contents.value;
    const committed = new Set<string>();
    pipeline.state.committed$.subscribe(({ certificate }) => committed.add(certificate.digest));
    const executed = (digest: string) => until(() => committed.has(digest), () => `${JSON.stringify(pipeline.manager.counts)} held`, 5_000);
    return { pipeline, committee, signers, gas, coin, increment, counterValue, executed };
  }

  it('a wrong-epoch certificate in a commit neither stalls the object nor locks submissions out', async () => {
    const { pipeline, committee, gas, coin, increment, counterValue, executed } = await pipelineWithCounter({ verifySignatures: false, limits: { maxPendingAndExecuting: 1 } });
    const stale = certifyTransaction(increment(refOf(coin), 1n), generateCommittee(7, [1, 1, 1, 1]).committee, []);
    const good = certifyTransaction(increment(refOf(gas), 5n), committee, []);
    expect(await pipeline.commit({ digest: 'c0', index: 0, certificates: [stale, good] })).toEqual(['wrong-epoch', 'ready']);
    await executed(good.digest);
    expect(await counterValue()).toBe(5n);
    const transfer = certifyTransaction({ sender: ALICE, inputs: [], gas: { payment: refOf(coin), budget: 10_000n, price: 1n }, commands: [] }, committee, []);
    expect(await pipeline.submit([transfer])).toEqual(['ready']);
    expect((await pipeline.stop()).heldByManager).toEqual([]);
  });

  it('after a reconfiguration hands back a pending shared certificate, the next epoch starts from the versions that exist', async () => {
    const { pipeline, committee, signers, gas, increment, counterValue, executed } = await pipelineWithCounter();
    const waiting = certifyTransaction(increment({ ...refOf(gas), version: 5, digest: id(0x55) }, 1n), committee, signers.slice(0, 3));
    expect(await pipeline.commit({ digest: 'c0', index: 0, certificates: [waiting] })).toEqual(['pending']);
    const next = generateCommittee(1, [1, 1, 1, 1]);
    expect((await pipeline.reconfigure(next.committee)).map((c) => c.digest)).toEqual([waiting.digest]);
    const b = certifyTransaction(increment(refOf(gas), 5n), next.committee, next.signers.slice(0, 3));
    expect(await pipeline.commit({ digest: 'c1', index: 1, certificates: [b] })).toEqual(['ready']);
    await executed(b.digest);
    expect(await counterValue()).toBe(5n);
    expect((await pipeline.stop()).heldByManager).toEqual([]);
  });

  it('a commit processed while the reconfiguration switches takes no version in the new epoch', async () => {
    const { pipeline, committee, signers, gas, coin, increment, counterValue, executed } = await pipelineWithCounter();
    const a = certifyTransaction(increment(refOf(coin), 1n), committee, signers.slice(0, 3));
    const next = generateCommittee(1, [1, 1, 1, 1]);
    const committed = pipeline.commit({ digest: 'c0', index: 0, certificates: [a] });
    const reconfigured = pipeline.reconfigure(next.committee);
    expect(await committed).toEqual(['wrong-epoch']);
    await reconfigured;
    const b = certifyTransaction(increment(refOf(gas), 5n), next.committee, next.signers.slice(0, 3));
    expect(await pipeline.commit({ digest: 'c1', index: 1, certificates: [b] })).toEqual(['ready']);
    await executed(b.digest);
    expect(await counterValue()).toBe(5n);
    expect((await pipeline.stop()).heldByManager).toEqual([]);
  });
});
