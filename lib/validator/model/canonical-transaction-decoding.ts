import { BcsReader } from './bcs-reader';
import type { ObjectRef } from './objects';
import type { Command, InputObject, TransactionData } from './transactions';
import { REF_FIELDS, type RefPath } from './transaction-paths';

/**
 * The transaction that canonical BCS bytes encode (the layout of
 * `writeTransactionData`), read strictly and deeply frozen: a fresh value
 * nobody else holds, that cannot change once read. Writing it again gives
 * exactly `bytes`.
 * @throws NonCanonicalTransactionError if `bytes` are not the canonical encoding of one transaction.
 */
export function readTransactionData(bytes: Uint8Array): TransactionData {
  const reader = new BcsReader(bytes);
  const sender = reader.hex32('sender');
  const inputs: InputObject[] = [];
  for (let i = reader.length('inputs', 42); i > 0; i--) inputs.push(readInput(reader));
  const payment = readRef(reader, 'gas.payment');
  const gas = Object.freeze({ payment, budget: reader.u64('gas.budget'), price: reader.u64('gas.price') });
  const commands: Command[] = [];
  for (let i = reader.length('commands', 34); i > 0; i--) commands.push(readCommand(reader));
  reader.end();
  return Object.freeze({ sender, inputs: Object.freeze(inputs), gas, commands: Object.freeze(commands) });
}

function readInput(reader: BcsReader): InputObject {
  const tag = reader.byte('inputs.kind');
  switch (tag) {
    case 0:
      return Object.freeze({ kind: 'owned', ref: readRef(reader, 'inputs.ref') });
    case 1:
      return Object.freeze({ kind: 'immutable', ref: readRef(reader, 'inputs.ref') });
    case 2: {
      const id = reader.hex32('inputs.id');
      const initialSharedVersion = reader.safeU64('inputs.initialSharedVersion');
      return Object.freeze({ kind: 'shared', id, initialSharedVersion, mutable: reader.bool('inputs.mutable') });
    }
    default:
      return reader.fail('inputs.kind', `no input kind has tag ${tag}`, 1);
  }
}

function readCommand(reader: BcsReader): Command {
  const tag = reader.byte('commands.kind');
  switch (tag) {
    case 0: {
      const objects = readIds(reader, 'commands.objects');
      return Object.freeze({ kind: 'transfer-objects', objects, recipient: reader.hex32('commands.recipient') });
    }
    case 1: {
      const coin = reader.hex32('commands.coin');
      const amounts: bigint[] = [];
      for (let i = reader.length('commands.amounts', 8); i > 0; i--) amounts.push(reader.u64('commands.amounts'));
      return Object.freeze({ kind: 'split-coin', coin, amounts: Object.freeze(amounts) });
    }
    case 2: {
      const target = reader.hex32('commands.target');
      return Object.freeze({ kind: 'merge-coins', target, sources: readIds(reader, 'commands.sources') });
    }
    case 3: {
      const coin = reader.hex32('commands.coin');
      const recipients: { readonly address: string; readonly amount: bigint }[] = [];
      for (let i = reader.length('commands.recipients', 40); i > 0; i--) {
        const address = reader.hex32('commands.recipients.address');
        recipients.push(Object.freeze({ address, amount: reader.u64('commands.recipients.amount') }));
      }
      return Object.freeze({ kind: 'pay', coin, recipients: Object.freeze(recipients) });
    }
    case 4: {
      const counter = reader.hex32('commands.counter');
      return Object.freeze({ kind: 'increment-counter', counter, by: reader.u64('commands.by') });
    }
    default:
      return reader.fail('commands.kind', `no command kind has tag ${tag}`, 1);
  }
}

function readRef(reader: BcsReader, path: RefPath): ObjectRef {
  const id = reader.hex32(REF_FIELDS[path].id);
  const version = reader.safeU64(REF_FIELDS[path].version);
  return Object.freeze({ id, version, digest: reader.hex32(REF_FIELDS[path].digest) });
}

function readIds(reader: BcsReader, path: string): readonly string[] {
  const ids: string[] = [];
  for (let i = reader.length(path, 32); i > 0; i--) ids.push(reader.hex32(path));
  return Object.freeze(ids);
}
