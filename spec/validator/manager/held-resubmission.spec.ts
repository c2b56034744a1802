import { OverloadedError } from '../../../lib/validator/errors';
import { TransactionManager } from '../../../lib/validator/manager/transaction-manager';
import { refOf } from '../../../lib/validator/model/objects';
import { setup } from '../fixtures';

describe('TransactionManager: a certificate already held is answered as held, whatever the admission budget', () => {
  it('pending, with the pending-and-executing budget full: already-pending, not OverloadedError', async () => {
    const { state, coin, gas, certify, transfer } = await setup();
    const manager = new TransactionManager(state, { limits: { maxPendingAndExecuting: 1 } });
    const waiting = certify(transfer({ ...refOf(coin), version: 5 }, refOf(gas))); // coin version 5 does not exist yet
    expect(await manager.enqueue([waiting])).toEqual(['pending']);
    expect(await manager.enqueue([waiting])).toEqual(['already-pending']);
    // The budget is still full for anything new, and the copy added nothing.
    await expect(manager.enqueue([certify(transfer({ ...refOf(coin), version: 6 }, refOf(gas)))])).rejects.toMatchObject({ limit: 'pending-and-executing' });
    expect(manager.load).toMatchObject({ ordinary: 1, pastLimit: 0 });
  });

  it('executing (released, not committed), with the budget full: already-executing', async () => {
    const { state, coin, gas, certify, transfer } = await setup();
    const manager = new TransactionManager(state, { limits: { maxPendingAndExecuting: 1, maxPastLimit: 1 } });
    const ready = certify(transfer(refOf(coin), refOf(gas)));
    expect(await manager.enqueue([ready])).toEqual(['ready']);
    expect(manager.counts.executing).toBe(1);
    expect(await manager.enqueue([ready, ready])).toEqual(['already-executing', 'already-executing']);
  });

  it('pending on an object past the queue-age and per-object limits: already-pending', async () => {
    const { state, coin, gas, certify, transfer } = await setup();
    let now = 0;
    const manager = new TransactionManager(state, { limits: { maxQueueAgeMs: 10, maxPerObjectQueue: 1 }, now: () => now });
    const waiting = certify(transfer({ ...refOf(coin), version: 5 }, refOf(gas)));
    expect(await manager.enqueue([waiting])).toEqual(['pending']);
    now = 1_000;
    expect(await manager.enqueue([waiting])).toEqual(['already-pending']);
    // Something new on the same object is still refused.
    const error = await manager.enqueue([certify(transfer({ ...refOf(coin), version: 6 }, refOf(gas)))]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OverloadedError);
  });

  it('two copies of a new certificate in one call count once against the budget', async () => {
    const { state, coin, gas, certify, transfer } = await setup();
    const manager = new TransactionManager(state, { limits: { maxPendingAndExecuting: 1 } });
    const waiting = certify(transfer({ ...refOf(coin), version: 5 }, refOf(gas)));
    expect(await manager.enqueue([waiting, waiting])).toEqual(['pending', 'already-pending']);
    expect(manager.load).toMatchObject({ ordinary: 1, pastLimit: 0 });
  });
});
