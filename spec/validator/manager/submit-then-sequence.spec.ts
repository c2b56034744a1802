import { firstValueFrom, isObservable } from 'rxjs';
import type { ExecutionResult } from '../../../lib/authority-state';
import type { PendingCertificate } from '../../../lib/certificate';
import type { HandedBackCertificate } from '../../../lib/validator/manager/transaction-manager';
import { TransactionManager } from '../../../lib/validator/manager/transaction-manager';
import { refOf } from '../../../lib/validator/model/objects';
import { id, setup } from '../fixtures';

/** A certificate held from a submit, then sequenced by a commit, is held as consensus output from then on. */
describe('TransactionManager: a certificate submitted, then sequenced', () => {
  async function held() {
    const fixture = await setup();
    const clock = { now: 0 };
    const manager = new TransactionManager(fixture.state, { now: () => clock.now, limits: { maxAwaitingCreationAgeMs: 1_000, maxPastLimitAgeMs: 1_000 } });
    const handedBack: HandedBackCertificate[] = [];
    manager.handedBack$.subscribe((h) => handedBack.push(h));
    const released: PendingCertificate[] = [];
    manager.ready$.subscribe((r) => released.push(r));
    return { ...fixture, manager, clock, handedBack, released };
  }

  it('one that ends executing while its commit reads the store is answered already-executed, not taken as new and run twice', async () => {
    const { manager, released, state, certify, transfer, coin, gas } = await held();
    const x = certify(transfer(refOf(coin), refOf(gas)));
    expect(await manager.enqueue([x])).toEqual(['ready']);
    const running = released.shift() as PendingCertificate;
    // It executes and commits while the commit below is reading whether it executed.
    const execution = (async () => {
      const input = state.tryExecuteImmediately(running.certificate, undefined, undefined, state.loadEpochStoreOneCallPerTask());
      const result = (isObservable(input) ? await firstValueFrom(input) : await input) as ExecutionResult;
      manager.notifyOutcome({ kind: 'executed', digest: x.digest, pending: running, queueingDelayMs: 0, effects: result.effects, events: result.events, attempts: 1, latencyMs: 0 });
    })();
    expect(await manager.commit({ digest: 'c0', index: 0, certificates: [x] })).toEqual(['already-executed']);
    await execution;
    expect(released).toEqual([]); // not released a second time
    expect(state.loadEpochStoreOneCallPerTask().isDecidedCancelled(x.digest)).toBe(false);
    expect(manager.counts).toMatchObject({ pending: 0, executing: 0 });
  });

  it('takes the commit and the consensus budget: no age limit hands it back, handBackAll returns it with its commit', async () => {
    const { manager, clock, handedBack, certify, transfer, gas } = await held();
    // Its object does not exist yet: it waits for a creation.
    const waiting = certify(transfer({ id: id(99), version: 1, digest: id(0) }, refOf(gas)));
    expect(await manager.enqueue([waiting])).toEqual(['pending']);
    expect(manager.load).toMatchObject({ awaitingCreation: 1, consensus: 0 });
    expect(await manager.commit({ digest: 'c0', index: 0, certificates: [waiting] })).toEqual(['already-pending']);
    expect(manager.load).toEqual({ ordinary: 0, awaitingCreation: 0, pastLimit: 0, consensus: 1 });
    expect(manager.isHeldSequenced(waiting.digest)).toBe(true);
    clock.now += 60_000;
    expect(manager.expireAged()).toBe(0);
    expect(handedBack).toEqual([]);
    // A redelivery finds it sequenced before: nothing changes.
    expect(await manager.commit({ digest: 'c0', index: 0, certificates: [waiting] })).toEqual(['already-pending']);
    expect(manager.load.consensus).toBe(1);
    manager.close();
    expect(manager.handBackAll()).toEqual([{ certificate: waiting, commit: { digest: 'c0', index: 0 } }]);
    expect(manager.load.consensus).toBe(0);
  });

  it('decided cancelled at sequencing (an earlier certificate of the commit claimed its owned version), it no longer waits for that version', async () => {
    const { manager, state, released, certify, transfer, coin, gas } = await held();
    const later = { ...refOf(coin), version: refOf(coin).version + 5 }; // not written yet
    const submitted = certify(transfer(later, refOf(gas)));
    const claimant = certify(transfer(later, refOf(gas), id(0xc0))); // the same version, another digest
    expect(await manager.enqueue([submitted])).toEqual(['pending']);
    const results = await manager.commit({ digest: 'c0', index: 0, certificates: [claimant, submitted] });
    expect(results[0]).toBe('pending'); // the claimant waits for the coin version
    expect(state.loadEpochStoreOneCallPerTask().isDecidedCancelled(submitted.digest)).toBe(true);
    // Executed as cancelled, it reads no owned input: released at once, with its commit.
    expect(results[1]).toBe('ready');
    expect(released).toEqual([{ certificate: submitted, commit: { digest: 'c0', index: 0 } }]);
    expect(manager.load).toEqual({ ordinary: 0, awaitingCreation: 0, pastLimit: 0, consensus: 2 });
    expect(manager.counts).toMatchObject({ pending: 1, executing: 1 });
  });
});
