import { of } from 'rxjs';
import { ExecutionDriver, type ExecutionOutcome } from '../../../lib';
import type { CertifiedTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { EffectsPrunedError, EpochEndedError, InputMismatchError, MissingInputError, NotACertifiedTransactionError } from '../../../lib/validator/errors';
import { executeTransaction } from '../../../lib/validator/execution/execute-transaction';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { type StoredObject, refOf } from '../../../lib/validator/model/objects';
import { ReferenceAuthorityState } from '../../../lib/validator/execution/reference-authority-state';
import type { TransactionData } from '../../../lib/validator/model/transactions';
import { silentLogger } from '../../support/silent-logger';
import { batch } from '../storage/batches';
import { ALICE, BOB, id, setup } from '../fixtures';

function drive(state: ReferenceAuthorityState, certificates: CertifiedTransaction[], retry = { maxAttempts: 5, initialDelayMs: 1 }) {
  const outcomes: ExecutionOutcome[] = [];
  const handle = new ExecutionDriver({
    readyCertificates: of(...certificates.map((certificate) => ({ certificate }))),
    authorityState: state,
    logger: silentLogger,
    retry,
  }).spawn({ next: (o) => outcomes.push(o) });
  return { outcomes, done: handle.done };
}


/** Turn the event loop until `condition` holds; fail, not hang, when it never does. */
async function eventually(condition: () => boolean, what: string, turns = 100_000): Promise<void> {
  for (let turn = 0; turn < turns; turn++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never happened within ${turns} event-loop turns: ${what}`);
}

describe('ReferenceAuthorityState', () => {
  it('executes a certificate through the driver and commits objects, effects and the executed marker', async () => {
    const { state, store, coin, gas, certify, transfer } = await setup();
    const committed: string[] = [];
    state.committed$.subscribe((c) => committed.push(c.certificate.digest));
    const certificate = certify(transfer(refOf(coin), refOf(gas)));
    const { outcomes, done } = drive(state, [certificate]);
    await done;
    expect(outcomes.map((o) => o.kind)).toEqual(['executed']);
    const [moved] = await store.readLatest([coin.id]);
    expect(moved?.owner).toEqual({ kind: 'address', address: BOB });
    expect(moved?.version).toBe(2);
    expect(await state.isTxAlreadyExecuted(certificate.digest)).toBe(true);
    expect(committed).toEqual([certificate.digest]);
  });

  it('returns the stored effects for a second execution and changes nothing', async () => {
    const { state, store, coin, gas, certify, transfer, committee } = await setup();
    const certificate = certify(transfer(refOf(coin), refOf(gas)));
    const epochStore = state.loadEpochStoreOneCallPerTask();
    const first = await state.tryExecuteImmediately(certificate, undefined, undefined, epochStore);
    const before = store.liveObjects();
    const second = await state.tryExecuteImmediately(certificate, undefined, undefined, epochStore);
    expect(second.effects).toEqual(first.effects);
    expect(store.liveObjects()).toEqual(before);
    expect(committee.epoch).toBe(0);
  });

  it('never executes again one whose effects the retention pruned: a typed error, nothing written, and the driver skips it', async () => {
    const { state, store, coin, gas, certify, transfer } = await setup({ executedTransactions: 1 });
    const certificate = certify(transfer(refOf(coin), refOf(gas)));
    const epochStore = state.loadEpochStoreOneCallPerTask();
    await state.tryExecuteImmediately(certificate, undefined, undefined, epochStore);
    await store.commit(batch(0xbeef, [])); // another transaction: the retention prunes the first one's effects
    expect(await store.readExecuted(certificate.digest)).toBeUndefined();
    const before = store.liveObjects();
    const again = state.tryExecuteImmediately(certificate, undefined, undefined, epochStore);
    await expect(again).rejects.toThrow(EffectsPrunedError);
    await expect(again).rejects.toMatchObject({ digest: certificate.digest });
    expect(store.liveObjects()).toEqual(before);
    expect(await state.isTxAlreadyExecuted(certificate.digest)).toBe(true);
    const { outcomes, done } = drive(state, [certificate]);
    await done;
    expect(outcomes.map((o) => o.kind)).toEqual(['skipped']);
  });

  it('refuses to execute before its inputs exist, with a transient error; the driver retries until they do', async () => {
    const { state, coin, gas, certify } = await setup();
    const split: TransactionData = {
      sender: ALICE,
      inputs: [{ kind: 'owned', ref: refOf(coin) }],
      gas: { payment: refOf(gas), budget: 10_000n, price: 1n },
      commands: [{ kind: 'split-coin', coin: coin.id, amounts: [10n] }],
    };
    const first = certify(split);
    // Execution is deterministic: the first transaction's outputs can be known before it runs.
    const predicted = executeTransaction(split, first.digest, 0, { objects: new Map([[coin.id, coin]]), gasCoin: gas });
    const out = (objectId: string) => refOf(predicted.written.find((o) => o.id === objectId) as StoredObject);
    const second = certify({
      sender: ALICE,
      inputs: [{ kind: 'owned', ref: out(coin.id) }],
      gas: { payment: out(gas.id), budget: 10_000n, price: 1n },
      commands: [{ kind: 'transfer-objects', objects: [coin.id], recipient: BOB }],
    });
    const reads = jest.spyOn(state.store, 'readLatest'); // owned inputs are read at their latest version
    // A wide retry window (10 attempts, 5 ms doubling), so a slow machine cannot exhaust it first.
    const { outcomes, done } = drive(state, [second], { maxAttempts: 10, initialDelayMs: 5 });
    await eventually(() => reads.mock.calls.length > 0, 'the first attempt reading its inputs');
    await state.tryExecuteImmediately(first, undefined, undefined, state.loadEpochStoreOneCallPerTask());
    await done;
    expect(outcomes).toEqual([expect.objectContaining({ kind: 'executed', digest: second.digest })]);
    expect((outcomes[0] as { attempts: number }).attempts).toBeGreaterThan(1);
  });

  it('fails as retries-exhausted when an input never appears', async () => {
    const { state, coin, gas, certify, transfer } = await setup();
    const future = certify(transfer({ ...refOf(coin), version: 9 }, refOf(gas)));
    await expect(state.tryExecuteImmediately(future, undefined, undefined, state.loadEpochStoreOneCallPerTask())).rejects.toBeInstanceOf(
      MissingInputError,
    );
    const { outcomes, done } = drive(state, [future]);
    await done;
    expect(outcomes).toEqual([expect.objectContaining({ kind: 'failed', reason: 'retries-exhausted', attempts: 5 })]);
  });

  it('refuses an input whose digest differs from the stored one', async () => {
    const { state, coin, gas, certify, transfer } = await setup();
    const forged = certify(transfer({ ...refOf(coin), digest: id(0xbad) }, refOf(gas)));
    await expect(state.tryExecuteImmediately(forged, undefined, undefined, state.loadEpochStoreOneCallPerTask())).rejects.toThrow(InputMismatchError);
  });

  it('reads a shared input at the version consensus assigned, and waits for that assignment', async () => {
    const { state, store, counter, gas, certify } = await setup();
    const data: TransactionData = {
      sender: ALICE,
      inputs: [{ kind: 'shared', id: counter.id, initialSharedVersion: 1, mutable: true }],
      gas: { payment: refOf(gas), budget: 10_000n, price: 1n },
      commands: [{ kind: 'increment-counter', counter: counter.id, by: 3n }],
    };
    const certificate = certify(data);
    const epochStore = state.loadEpochStoreOneCallPerTask();
    await expect(state.tryExecuteImmediately(certificate, undefined, undefined, epochStore)).rejects.toThrow(/no assigned version/);
    epochStore.assignSharedVersions(certificate.digest, new Map([[counter.id, 1]]));
    await state.tryExecuteImmediately(certificate, undefined, undefined, epochStore);
    const [after] = await store.readLatest([counter.id]);
    expect(after?.contents).toEqual({ type: 'counter', value: 3n });
  });

  it('writes nothing when aborted before the commit', async () => {
    const { state, store, coin, gas, certify, transfer } = await setup();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const certificate = certify(transfer(refOf(coin), refOf(gas)));
    await expect(state.tryExecuteImmediately(certificate, undefined, undefined, state.loadEpochStoreOneCallPerTask(), controller.signal)).rejects.toThrow('stop');
    expect(await state.isTxAlreadyExecuted(certificate.digest)).toBe(false);
    expect((await store.readLatest([coin.id]))[0]?.version).toBe(1);
  });

  it('refuses a certificate without transaction data', async () => {
    const { state } = await setup();
    await expect(
      state.tryExecuteImmediately({ digest: 'x', epoch: 0 }, undefined, undefined, state.loadEpochStoreOneCallPerTask()),
    ).rejects.toThrow(NotACertifiedTransactionError);
  });

  it('reconfigures after in-flight executions finish; old-epoch certificates are then refused', async () => {
    const { state, coin, gas, certify, transfer } = await setup();
    const oldStore = state.loadEpochStoreOneCallPerTask();
    const certificate = certify(transfer(refOf(coin), refOf(gas)));
    const executing = state.tryExecuteImmediately(certificate, undefined, undefined, oldStore);
    const next = generateCommittee(1, [1, 1, 1, 1]);
    const reconfigured = state.reconfigure(next.committee);
    expect(state.loadEpochStoreOneCallPerTask().epoch).toBe(0); // still waiting for the execution
    await executing;
    await reconfigured;
    expect(state.loadEpochStoreOneCallPerTask().epoch).toBe(1);
    expect(oldStore.isCurrent).toBe(false);
    const late = certify(transfer(refOf(coin), refOf(gas)));
    await expect(state.tryExecuteImmediately(late, undefined, undefined, oldStore)).rejects.toThrow(EpochEndedError);
    // Through the driver, an old-epoch certificate is skipped without execution.
    const { outcomes, done } = drive(state, [late]);
    await done;
    expect(outcomes.map((o) => (o.kind === 'skipped' ? o.reason : o.kind))).toEqual(['wrong-epoch']);
    await expect(state.reconfigure(next.committee)).rejects.toThrow(EpochEndedError);
  });
});
