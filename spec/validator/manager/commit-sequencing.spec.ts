import { genesisObject } from '../../../lib/validator/execution/genesis';
import { refOf } from '../../../lib/validator/model/objects';
import { type SequencedCommit, TransactionManager } from '../../../lib/validator/manager/transaction-manager';
import { ALICE, id, setup } from '../fixtures';

/** An `onSequenced` whose calls resolve (or reject) only when the test says. */
function heldWrites() {
  const calls: { sequenced: SequencedCommit; resolve: () => void; reject: (error: Error) => void }[] = [];
  const onSequenced = (sequenced: SequencedCommit) => new Promise<void>((resolve, reject) => calls.push({ sequenced, resolve, reject }));
  return { calls, onSequenced };
}

const turns = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('TransactionManager with a slow onSequenced (a durable write)', () => {
  async function twoCommits() {
    const fixture = await setup();
    const { store, certify, increment, gas } = fixture;
    const gas2 = genesisObject(id(9), { kind: 'address', address: ALICE }, { type: 'coin', balance: 1_000_000n });
    await store.commit({ transactionDigest: id(0xeee), effects: {} as never, events: [], written: [gas2], deleted: [] });
    const writes = heldWrites();
    const manager = new TransactionManager(fixture.state, { onSequenced: writes.onSequenced });
    const released: string[] = [];
    manager.ready$.subscribe((p) => released.push(p.certificate.digest));
    const a = certify(increment(refOf(gas), 2n));
    const b = certify(increment(refOf(gas2), 3n));
    const first = manager.commit({ digest: 'c1', index: 1, certificates: [a] });
    const second = manager.commit({ digest: 'c2', index: 2, certificates: [b] });
    return { writes, released, first, second, a, b };
  }

  it('sequences the next commit while the previous one is being written, and accepts them in commit order once written', async () => {
    const { writes, released, first, second, a } = await twoCommits();
    await turns();
    // Both sequenced, the second continuing the first's versions, though neither is written yet.
    expect(writes.calls.map((c) => c.sequenced.commit.index)).toEqual([1, 2]);
    expect(writes.calls[1]?.sequenced.held[0]?.shared.get(id(3))).toBe(2);
    expect(released).toEqual([]);
    // The second is written first: it still waits for the first.
    writes.calls[1]?.resolve();
    await turns();
    expect(released).toEqual([]);
    writes.calls[0]?.resolve();
    expect(await first).toEqual(['ready']);
    expect(await second).toEqual(['pending']);
    expect(released).toEqual([a.digest]); // b waits for the counter version a writes
  });

  it('rejects a commit whose write failed, and releases nothing of it', async () => {
    const { writes, released, first, second } = await twoCommits();
    await turns();
    writes.calls[0]?.reject(new Error('disk full'));
    writes.calls[1]?.resolve();
    await expect(first).rejects.toThrow('disk full');
    // The second is accepted after the first settled; what it waits for never commits.
    expect(await second).toEqual(['pending']);
    expect(released).toEqual([]);
  });
});
