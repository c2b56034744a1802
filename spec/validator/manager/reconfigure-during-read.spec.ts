import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { TransactionManager } from '../../../lib/validator/manager/transaction-manager';
import { refOf } from '../../../lib/validator/model/objects';
import { persistAccepted } from '../../../lib/validator/pipeline/durable-state';
import { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { temporaryDatabase } from '../storage/temporary-database';
import { setup } from '../fixtures';

/**
 * A reconfiguration that hands back a certificate while the call that
 * accepts it is still reading the store: the call answers `wrong-epoch`, not
 * `pending`, and a durable pipeline writes no record for it (written after the
 * hand-back's forget, it outlived it: a restart handed it back a second time).
 */
describe('TransactionManager: a reconfiguration during an acceptance read', () => {
  it('answers wrong-epoch for the certificate reconfigure handed back meanwhile', async () => {
    const { state, store, certify, transfer, coin, gas } = await setup();
    const manager = new TransactionManager(state);
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const readLatest = store.readLatest.bind(store);
    store.readLatest = async (ids) => {
      await gate;
      return readLatest(ids);
    };
    const waiting = certify(transfer({ ...refOf(coin), version: refOf(coin).version + 5 }, refOf(gas)));
    const answer = manager.enqueue([waiting]);
    await new Promise((resolve) => setImmediate(resolve));
    await state.reconfigure(generateCommittee(1, [1, 1, 1, 1]).committee);
    expect(manager.dropStaleEpoch()).toEqual([waiting]);
    open();
    expect(await answer).toEqual(['wrong-epoch']);
    expect(manager.counts.pending).toBe(0);
  });

  it('durable: a submit record is not written for a certificate of an ended epoch, nor for one a commit sequenced meanwhile', async () => {
    const { certify, transfer, coin, gas } = await setup();
    const database = LmdbObjectStore.open({ path: await temporaryDatabase() });
    const stale = certify(transfer(refOf(coin), refOf(gas)));
    const sequenced = certify(transfer(refOf(coin), refOf(gas)), 1);
    const kept = certify(transfer({ ...refOf(coin), version: 9 }, refOf(gas)), 1);
    const manager = { isHeldSequenced: (digest: string) => digest === sequenced.digest };
    await persistAccepted(database, manager, 1, [stale, sequenced, kept], ['pending', 'pending', 'ready']);
    expect(database.epochTables.pendingCertificates().map((r) => r.certificate.digest)).toEqual([kept.digest]);
    await database.close();
  });
});
