import { executeCancelled, isCancelled } from '../../../lib/validator/execution/cancelled-execution';
import { executeTransaction } from '../../../lib/validator/execution/execute-transaction';
import { genesisObject } from '../../../lib/validator/execution/genesis';
import { jsBlake2b256Hex } from '../../../lib/validator/model/digests';
import { EffectsBcs, effectsBcsValue } from '../../../lib/validator/model/effects';
import { CANCELLATION_CODES } from '../../../lib/validator/model/state-effects';
import { lamportVersion } from '../../../lib/validator/model/lamport-version';
import { type StoredObject, refOf } from '../../../lib/validator/model/objects';
import type { TransactionData } from '../../../lib/validator/model/transactions';

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const ALICE = id(0xa1);
const gasCoin = genesisObject(id(1), { kind: 'address', address: ALICE }, { type: 'coin', balance: 1_000_000n });
const coin = { ...genesisObject(id(2), { kind: 'address', address: ALICE }, { type: 'coin', balance: 500n }), version: 7 };
/** Shared counters at the versions consensus assigned: S mutable, R read-only, written by two other transactions. */
const s = { ...genesisObject(id(0x20), { kind: 'shared', initialSharedVersion: 1 }, { type: 'counter', value: 41n }), version: 4, previousTransaction: id(0xf2) };
const r = { ...genesisObject(id(0x10), { kind: 'shared', initialSharedVersion: 1 }, { type: 'counter', value: 3n }), version: 9, previousTransaction: id(0xf1) };
const data: TransactionData = {
  sender: ALICE,
  inputs: [
    { kind: 'owned', ref: refOf(coin) },
    { kind: 'shared', id: s.id, initialSharedVersion: 1, mutable: true },
    { kind: 'shared', id: r.id, initialSharedVersion: 1, mutable: false },
  ],
  gas: { payment: refOf(gasCoin), budget: 100_000n, price: 1n },
  commands: [{ kind: 'increment-counter', counter: s.id, by: 1n }],
};
const shared = new Map<string, StoredObject>([
  [s.id, s],
  [r.id, r],
]);

describe('executeCancelled', () => {
  it('writes the mutable shared inputs only, unchanged, at the Lamport version the manager predicts; nothing owned, no gas, no event', () => {
    const out = executeCancelled(data, id(0xd1), 0, shared, 'input-unavailable');
    // The manager's prediction: gas, owned and assigned shared versions (the read-only R at 9 is the highest).
    const predicted = lamportVersion(gasCoin.version, data.inputs, (input) => (input.kind === 'shared' ? (shared.get(input.id) as StoredObject).version : input.ref.version));
    expect(out.effects.lamportVersion).toBe(predicted);
    expect(predicted).toBe(10);
    expect(out.written).toEqual([expect.objectContaining({ id: s.id, version: 10, contents: s.contents, owner: s.owner, previousTransaction: id(0xd1) })]);
    expect(out.effects.mutated).toEqual([refOf(out.written[0] as StoredObject)]);
    expect(out.effects.status).toEqual({ kind: 'failure', error: 'input-unavailable', command: 0 });
    expect(out.effects.gasUsed).toBe(0n);
    expect(out.effects.created).toEqual([]);
    expect(out.effects.deleted).toEqual([]);
    expect(out.deleted).toEqual([]);
    expect(out.events).toEqual([]);
    // Both shared inputs read, in input order; dependencies are their writers, sorted.
    expect(out.effects.sharedObjects).toEqual([refOf(s), refOf(r)]);
    expect(out.effects.dependencies).toEqual([id(0xf1), id(0xf2)]);
    expect(isCancelled(out.effects)).toBe(true);
    expect(CANCELLATION_CODES).toEqual(['input-unavailable']);
  });

  it('is deterministic, and its effects digest is that of the canonical BCS layout', () => {
    const one = executeCancelled(data, id(0xd1), 3, shared, 'input-unavailable');
    const two = executeCancelled(data, id(0xd1), 3, new Map([...shared].reverse()), 'input-unavailable');
    expect(two).toEqual(one);
    const { digest, ...effects } = one.effects;
    expect(digest).toBe(jsBlake2b256Hex(Uint8Array.of(1), EffectsBcs.serialize(effectsBcsValue(effects), { initialSize: 1024 }).toBytes()));
  });

  it('is told apart from an execution of the same transaction: isCancelled is false for an abort or a success', () => {
    const objects = new Map<string, StoredObject>([[coin.id, coin], ...shared]);
    const executed = executeTransaction(data, id(0xd1), 0, { objects, gasCoin });
    expect(executed.effects.status.kind).toBe('success');
    expect(isCancelled(executed.effects)).toBe(false);
    const aborted = executeTransaction({ ...data, commands: [{ kind: 'increment-counter', counter: r.id, by: 1n }] }, id(0xd1), 0, { objects, gasCoin });
    expect(aborted.effects.status).toMatchObject({ kind: 'failure', error: 'immutable-input' });
    expect(isCancelled(aborted.effects)).toBe(false);
  });
});
