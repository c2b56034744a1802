import { bcs } from '@mysten/bcs';
import type { ObjectContents, Owner, StoredObject } from './objects';
import { writeHex32 } from './hex32';
import { readTransactionData } from './canonical-transaction-decoding';
import { encodeTransactionStrict } from './canonical-transaction-encoding';
import { encodeObjectFast } from './fast-object-encoding';
import type { Command, InputObject, TransactionData } from './transactions';

/**
 * Canonical binary encoding (BCS, as Sui uses) of the object model. Digests
 * are computed over these bytes, so every validator hashes the same thing.
 */

/**
 * 32 bytes on the wire, `0x`-hex in TypeScript. Decoded with Buffer rather
 * than @mysten/bcs's regex-based `fromHex`, which took a third of end-to-end
 * execution time (bench/validator.ts).
 */
export const Bytes32 = bcs.bytes(32).transform({
  input: (hex: string) => hexToBytes32(hex),
  output: (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString('hex')}`,
});

function hexToBytes32(hex: string): Uint8Array {
  const bytes = new Uint8Array(32);
  if (typeof hex !== 'string' || !writeHex32(hex, bytes, 0)) throw new TypeError(`expected 0x and 64 hex digits, got ${JSON.stringify(hex)}`);
  return bytes;
}

/** Versions are u64 on the wire; safe integers in TypeScript. */
const Version = bcs.u64().transform({
  input: (version: number) => BigInt(version),
  output: (value: string) => Number(value),
});

const ObjectRefBcs = bcs.struct('ObjectRef', { id: Bytes32, version: Version, digest: Bytes32 });

const OwnerBcs = bcs
  .enum('Owner', {
    AddressOwner: Bytes32,
    Shared: bcs.struct('Shared', { initialSharedVersion: Version }),
    Immutable: null,
  })
  .transform({
    input: (owner: Owner) =>
      owner.kind === 'address'
        ? { AddressOwner: owner.address }
        : owner.kind === 'shared'
          ? { Shared: { initialSharedVersion: owner.initialSharedVersion } }
          : { Immutable: true },
    output: (value): Owner => {
      if ('AddressOwner' in value) return { kind: 'address', address: value.AddressOwner };
      if ('Shared' in value) return { kind: 'shared', initialSharedVersion: value.Shared.initialSharedVersion };
      return { kind: 'immutable' };
    },
  });

const ContentsBcs = bcs
  .enum('ObjectContents', {
    Coin: bcs.struct('Coin', { balance: bcs.u64() }),
    Counter: bcs.struct('Counter', { value: bcs.u64() }),
  })
  .transform({
    input: (contents: ObjectContents) =>
      contents.type === 'coin' ? { Coin: { balance: contents.balance } } : { Counter: { value: contents.value } },
    output: (value): ObjectContents =>
      'Coin' in value ? { type: 'coin', balance: BigInt(value.Coin.balance) } : { type: 'counter', value: BigInt(value.Counter.value) },
  });

/** The fields an object digest covers: everything but the digest itself. */
export const ObjectBcs = bcs.struct('Object', {
  id: Bytes32,
  version: Version,
  owner: OwnerBcs,
  contents: ContentsBcs,
  previousTransaction: Bytes32,
});

const InputBcs = bcs
  .enum('InputObject', {
    Owned: ObjectRefBcs,
    Immutable: ObjectRefBcs,
    Shared: bcs.struct('SharedInput', { id: Bytes32, initialSharedVersion: Version, mutable: bcs.bool() }),
  })
  .transform({
    input: (input: InputObject) =>
      input.kind === 'owned'
        ? { Owned: input.ref }
        : input.kind === 'immutable'
          ? { Immutable: input.ref }
          : { Shared: { id: input.id, initialSharedVersion: input.initialSharedVersion, mutable: input.mutable } },
    output: (value): InputObject => {
      if ('Owned' in value) return { kind: 'owned', ref: value.Owned };
      if ('Immutable' in value) return { kind: 'immutable', ref: value.Immutable };
      return { kind: 'shared', ...value.Shared };
    },
  });

const CommandBcs = bcs
  .enum('Command', {
    TransferObjects: bcs.struct('TransferObjects', { objects: bcs.vector(Bytes32), recipient: Bytes32 }),
    SplitCoin: bcs.struct('SplitCoin', { coin: Bytes32, amounts: bcs.vector(bcs.u64()) }),
    MergeCoins: bcs.struct('MergeCoins', { target: Bytes32, sources: bcs.vector(Bytes32) }),
    Pay: bcs.struct('Pay', {
      coin: Bytes32,
      recipients: bcs.vector(bcs.struct('Payment', { address: Bytes32, amount: bcs.u64() })),
    }),
    IncrementCounter: bcs.struct('IncrementCounter', { counter: Bytes32, by: bcs.u64() }),
  })
  .transform({
    input: (command: Command) => {
      switch (command.kind) {
        case 'transfer-objects':
          return { TransferObjects: { objects: [...command.objects], recipient: command.recipient } };
        case 'split-coin':
          return { SplitCoin: { coin: command.coin, amounts: [...command.amounts] } };
        case 'merge-coins':
          return { MergeCoins: { target: command.target, sources: [...command.sources] } };
        case 'pay':
          return { Pay: { coin: command.coin, recipients: command.recipients.map((r) => ({ ...r })) } };
        case 'increment-counter':
          return { IncrementCounter: { counter: command.counter, by: command.by } };
      }
    },
    output: (value): Command => {
      if ('TransferObjects' in value) return { kind: 'transfer-objects', ...value.TransferObjects };
      if ('SplitCoin' in value) return { kind: 'split-coin', coin: value.SplitCoin.coin, amounts: value.SplitCoin.amounts.map(BigInt) };
      if ('MergeCoins' in value) return { kind: 'merge-coins', ...value.MergeCoins };
      if ('Pay' in value) {
        return {
          kind: 'pay',
          coin: value.Pay.coin,
          recipients: value.Pay.recipients.map((r) => ({ address: r.address, amount: BigInt(r.amount) })),
        };
      }
      return { kind: 'increment-counter', counter: value.IncrementCounter.counter, by: BigInt(value.IncrementCounter.by) };
    },
  });

/**
 * A transaction's signed body, as a schema. The reference the direct, strict
 * encoder and decoder (`encodeTransactionData`, `decodeTransactionData`) are
 * proven byte-equal to; lenient itself (it coerces hex case and u64 types),
 * so not used on untrusted input.
 */
export const TransactionDataBcs = bcs
  .struct('TransactionData', {
    sender: Bytes32,
    inputs: bcs.vector(InputBcs),
    gas: bcs.struct('GasData', { payment: ObjectRefBcs, budget: bcs.u64(), price: bcs.u64() }),
    commands: bcs.vector(CommandBcs),
  })
  .transform({
    input: (tx: TransactionData) => ({ ...tx, inputs: [...tx.inputs], commands: [...tx.commands] }),
    output: (value): TransactionData => ({
      ...value,
      gas: { payment: value.gas.payment, budget: BigInt(value.gas.budget), price: BigInt(value.gas.price) },
    }),
  });

/** Bytes of an object's digest-covered fields (the `ObjectBcs` layout, written directly). */
export function encodeObject(object: Omit<StoredObject, 'digest'>): Uint8Array {
  return encodeObjectFast(object);
}

/**
 * A transaction's canonical bytes, strictly (see `writeTransactionData`): the
 * bytes its digest covers and its validators sign.
 * @throws NonCanonicalTransactionError if `tx` is not exactly a transaction (a wrong type, upper-case hex, a missing or unknown field).
 */
export function encodeTransactionData(tx: TransactionData): Uint8Array {
  return encodeTransactionStrict(tx);
}

/**
 * The transaction canonical bytes encode, deeply frozen (see `readTransactionData`).
 * @throws NonCanonicalTransactionError if `bytes` are not the canonical encoding of one transaction.
 */
export function decodeTransactionData(bytes: Uint8Array): TransactionData {
  return readTransactionData(bytes);
}
