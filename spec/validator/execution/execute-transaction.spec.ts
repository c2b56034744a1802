import fc from 'fast-check';
import { jsBlake2b256Hex } from '../../../lib/validator/model/digests';
import { EffectsBcs, effectsBcsValue } from '../../../lib/validator/model/effects';
import { ObjectBcs } from '../../../lib/validator/model/encoding';
import { type LoadedInputs, executeTransaction, GAS_BASE_UNITS, GAS_UNITS_PER_COMMAND } from '../../../lib/validator/execution/execute-transaction';
import { genesisObject } from '../../../lib/validator/execution/genesis';
import { type StoredObject, refOf } from '../../../lib/validator/model/objects';
import type { Command, InputObject, TransactionData } from '../../../lib/validator/model/transactions';

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const ALICE = id(0xa1);
const BOB = id(0xb0);
const gasCoin = genesisObject(id(1), { kind: 'address', address: ALICE }, { type: 'coin', balance: 1_000_000n });
const coinA = genesisObject(id(2), { kind: 'address', address: ALICE }, { type: 'coin', balance: 500n });
const coinB = genesisObject(id(3), { kind: 'address', address: ALICE }, { type: 'coin', balance: 300n });
const bobsCoin = genesisObject(id(4), { kind: 'address', address: BOB }, { type: 'coin', balance: 50n });
const counter = genesisObject(id(5), { kind: 'shared', initialSharedVersion: 1 }, { type: 'counter', value: 10n });
const COST = (commands: number) => GAS_BASE_UNITS + GAS_UNITS_PER_COMMAND * BigInt(commands);

function run(commands: Command[], owned: StoredObject[] = [coinA, coinB], options: { budget?: bigint; shared?: StoredObject } = {}) {
  const inputs: InputObject[] = owned.map((o) => ({ kind: 'owned', ref: refOf(o) }));
  if (options.shared) inputs.push({ kind: 'shared', id: options.shared.id, initialSharedVersion: 1, mutable: true });
  const data: TransactionData = {
    sender: ALICE,
    inputs,
    gas: { payment: refOf(gasCoin), budget: options.budget ?? 1_000_000n, price: 1n },
    commands,
  };
  const loaded: LoadedInputs = {
    objects: new Map([...owned, ...(options.shared ? [options.shared] : [])].map((o) => [o.id, o])),
    gasCoin,
  };
  return executeTransaction(data, id(0xd1), 0, loaded);
}

const balanceOf = (objects: StoredObject[], objectId: string) => {
  const contents = objects.find((o) => o.id === objectId)?.contents;
  return contents?.type === 'coin' ? contents.balance : undefined;
};

describe('executeTransaction', () => {
  it('transfers an object: new owner, Lamport version, gas charged, effects sealed', () => {
    const out = run([{ kind: 'transfer-objects', objects: [coinA.id], recipient: BOB }]);
    expect(out.effects.status).toEqual({ kind: 'success' });
    expect(out.effects.lamportVersion).toBe(2);
    expect(out.written.every((o) => o.version === 2)).toBe(true);
    expect(out.written.find((o) => o.id === coinA.id)?.owner).toEqual({ kind: 'address', address: BOB });
    expect(out.effects.gasUsed).toBe(COST(1));
    expect(balanceOf(out.written, gasCoin.id)).toBe(1_000_000n - COST(1));
    expect(out.effects.digest).toMatch(/^0x[0-9a-f]{64}$/);
    expect(run([{ kind: 'transfer-objects', objects: [coinA.id], recipient: BOB }]).effects).toEqual(out.effects);
  });

  it('splits and pays with deterministic new coin ids', () => {
    const out = run([
      { kind: 'split-coin', coin: coinA.id, amounts: [100n, 50n] },
      { kind: 'pay', coin: coinB.id, recipients: [{ address: BOB, amount: 30n }] },
    ]);
    expect(out.effects.created).toHaveLength(3);
    expect(balanceOf(out.written, coinA.id)).toBe(350n);
    expect(balanceOf(out.written, coinB.id)).toBe(270n);
    const bobs = out.written.filter((o) => o.owner.kind === 'address' && o.owner.address === BOB);
    expect(bobs.map((o) => o.contents)).toEqual([{ type: 'coin', balance: 30n }]);
    expect(run([{ kind: 'split-coin', coin: coinA.id, amounts: [100n, 50n] }, { kind: 'pay', coin: coinB.id, recipients: [{ address: BOB, amount: 30n }] }]).effects.created).toEqual(out.effects.created);
  });

  it('computes every digest and id canonically (checked through the BCS schemas and JavaScript Blake2b)', () => {
    const out = run([{ kind: 'split-coin', coin: coinA.id, amounts: [100n, 50n] }]);
    for (const object of out.written) {
      const { digest, ...body } = object;
      expect(digest).toBe(jsBlake2b256Hex(Uint8Array.of(2), ObjectBcs.serialize(body).toBytes()));
    }
    const counterBytes = (n: number) => {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(n), true);
      return bytes;
    };
    expect(out.effects.created.map((ref) => ref.id)).toEqual([0, 1].map((n) => jsBlake2b256Hex(Buffer.from(id(0xd1).slice(2), 'hex'), counterBytes(n))));
    const { digest, ...effects } = out.effects;
    expect(digest).toBe(jsBlake2b256Hex(Uint8Array.of(1), EffectsBcs.serialize(effectsBcsValue(effects), { initialSize: 1024 }).toBytes()));
  });

  it('lists each dependency once, sorted, and writes mutated objects in id order, whatever the input order', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([0xf3, 0x07, 0xc1, 0x07, 0x5e], { minLength: 1 }), fc.shuffledSubarray([2, 3, 6, 7, 8], { minLength: 1 }), (writers, coins) => {
        const owned = coins.map((n, i) => ({ ...genesisObject(id(n), { kind: 'address', address: ALICE }, { type: 'coin', balance: 1n }), previousTransaction: id(writers[i % writers.length] as number) }));
        const out = run([], owned);
        const expected = [...new Set([gasCoin.previousTransaction, ...owned.map((o) => o.previousTransaction)])].sort();
        expect(out.effects.dependencies).toEqual(expected);
        expect(out.effects.mutated.map((r) => r.id)).toEqual([gasCoin.id, ...owned.map((o) => o.id)].sort());
      }),
    );
  });

  it('merges coins, deleting the sources', () => {
    const out = run([{ kind: 'merge-coins', target: coinA.id, sources: [coinB.id] }]);
    expect(balanceOf(out.written, coinA.id)).toBe(800n);
    expect(out.effects.deleted.map((r) => r.id)).toEqual([coinB.id]);
    expect(out.deleted).toEqual([{ id: coinB.id, version: 2 }]);
  });

  it('increments a shared counter and records the shared version read', () => {
    const out = run([{ kind: 'increment-counter', counter: counter.id, by: 5n }], [], { shared: counter });
    expect(out.written.find((o) => o.id === counter.id)?.contents).toEqual({ type: 'counter', value: 15n });
    expect(out.effects.sharedObjects).toEqual([refOf(counter)]);
    expect(out.events).toEqual([{ type: 'CounterIncremented', counter: counter.id, value: '15' }]);
  });

  it('aborts on insufficient balance: commands reverted, inputs bumped, gas still charged', () => {
    const out = run([
      { kind: 'transfer-objects', objects: [coinB.id], recipient: BOB },
      { kind: 'split-coin', coin: coinA.id, amounts: [501n] },
    ]);
    expect(out.effects.status).toEqual({ kind: 'failure', error: 'insufficient-balance', command: 1 });
    expect(out.written.find((o) => o.id === coinB.id)?.owner).toEqual(coinB.owner);
    expect(out.written.find((o) => o.id === coinA.id)?.contents).toEqual(coinA.contents);
    expect(out.written.map((o) => o.version)).toEqual([2, 2, 2]);
    expect(out.effects.created).toEqual([]);
    expect(out.events).toEqual([]);
    expect(out.effects.gasUsed).toBe(COST(2));
  });

  it('aborts when an owned input belongs to someone else', () => {
    const out = run([{ kind: 'transfer-objects', objects: [bobsCoin.id], recipient: ALICE }], [bobsCoin]);
    expect(out.effects.status).toEqual({ kind: 'failure', error: 'wrong-owner', command: 0 });
    expect(out.written.find((o) => o.id === bobsCoin.id)?.owner).toEqual(bobsCoin.owner);
  });

  it('aborts with insufficient-gas when the budget is below the cost, charging the budget', () => {
    const out = run([{ kind: 'transfer-objects', objects: [coinA.id], recipient: BOB }], [coinA], { budget: 10n });
    expect(out.effects.status).toEqual({ kind: 'failure', error: 'insufficient-gas', command: 1 });
    expect(out.effects.gasUsed).toBe(10n);
    expect(out.written.find((o) => o.id === coinA.id)?.owner).toEqual(coinA.owner);
  });

  const abortCases: [Command, string][] = [
    [{ kind: 'transfer-objects', objects: [id(99)], recipient: BOB }, 'not-an-input'],
    [{ kind: 'merge-coins', target: coinA.id, sources: [coinA.id] }, 'invalid-command'],
    [{ kind: 'transfer-objects', objects: [gasCoin.id], recipient: BOB }, 'invalid-command'],
    [{ kind: 'split-coin', coin: id(99), amounts: [1n] }, 'not-an-input'],
  ];
  it.each(abortCases)('aborts %j with %s', (command, code) => {
    expect(run([command]).effects.status).toMatchObject({ kind: 'failure', error: code });
  });

  it('conserves value: balances before = balances after + gas, for any command sequence', () => {
    const coins = [coinA, coinB];
    const coinId = fc.constantFrom(coinA.id, coinB.id, gasCoin.id);
    const amount = fc.bigInt({ min: 0n, max: 700n });
    const command: fc.Arbitrary<Command> = fc.oneof(
      fc.record({ coin: coinId, amounts: fc.array(amount, { maxLength: 3 }) }).map((c) => ({ kind: 'split-coin', ...c }) as const),
      fc.record({ coin: coinId, recipients: fc.array(fc.record({ address: fc.constant(BOB), amount }), { maxLength: 2 }) }).map((c) => ({ kind: 'pay', ...c }) as const),
      fc.constant({ kind: 'merge-coins', target: coinA.id, sources: [coinB.id] } as const),
      fc.constant({ kind: 'transfer-objects', objects: [coinB.id], recipient: BOB } as const),
    );
    fc.assert(
      fc.property(fc.array(command, { maxLength: 5 }), fc.bigInt({ min: 0n, max: 3_000n }), (commands, budget) => {
        const out = run(commands, coins, { budget });
        const before = [gasCoin, ...coins].reduce((sum, o) => sum + (o.contents.type === 'coin' ? o.contents.balance : 0n), 0n);
        const after = out.written.reduce((sum, o) => sum + (o.contents.type === 'coin' ? o.contents.balance : 0n), 0n);
        expect(after + out.effects.gasUsed).toBe(before);
        expect(new Set(out.written.map((o) => o.version))).toEqual(new Set([2]));
      }),
      { numRuns: 300 },
    );
  });
});
