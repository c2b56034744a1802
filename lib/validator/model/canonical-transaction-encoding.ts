import { BcsScratch } from './direct-bcs';
import { NonCanonicalTransactionError } from '../errors';
import { isCanonicalHex32 } from './hex32';
import type { TransactionData } from './transactions';
import { REF_FIELDS, type RefPath } from './transaction-paths';

/**
 * The BCS bytes of a transaction, written directly and strictly: byte-equal
 * to `TransactionDataBcs` (a property test checks it), but where that schema
 * coerces (upper-case hex, a u64 given as a string or a number, a kind it
 * does not know read as another, fields it ignores), this refuses. So a
 * value that encodes is exactly the value its bytes decode to, and two
 * different values never share a digest.
 *
 * Layout: sender (32)
 *   | inputs: vector of enum (0 owned ObjectRef, 1 immutable ObjectRef, 2 shared: id (32), initialSharedVersion u64, mutable bool)
 *   | gas: payment ObjectRef, budget u64, price u64
 *   | commands: vector of enum (0 transfer-objects: vector of ids, recipient | 1 split-coin: coin, vector of u64
 *     | 2 merge-coins: target, vector of ids | 3 pay: coin, vector of (address, amount u64) | 4 increment-counter: counter, by u64)
 * where ObjectRef is id (32), version u64, digest (32).
 *
 * @throws NonCanonicalTransactionError naming the first field that is not canonical.
 */
export function writeTransactionData(out: BcsScratch, tx: unknown): BcsScratch {
  const data = record(tx, 'data', 4);
  hex32(out, data.sender, 'sender');
  const inputs = vector(out, data.inputs, 'inputs');
  for (const input of inputs) writeInput(out, input);
  const gas = record(data.gas, 'gas', 3);
  writeRef(out, gas.payment, 'gas.payment');
  u64(out, gas.budget, 'gas.budget');
  u64(out, gas.price, 'gas.price');
  const commands = vector(out, data.commands, 'commands');
  for (const command of commands) writeCommand(out, command);
  return out;
}

/** The canonical bytes of `tx`, as an array of their own. @throws NonCanonicalTransactionError */
export function encodeTransactionStrict(tx: TransactionData): Uint8Array {
  return writeTransactionData(new BcsScratch(), tx).copy();
}

function writeInput(out: BcsScratch, value: unknown): void {
  const input = plainObject(value, 'inputs');
  switch (input.kind) {
    case 'owned':
      writeRef(out.byte(0), exactFields(input, 2, 'inputs').ref, 'inputs.ref');
      return;
    case 'immutable':
      writeRef(out.byte(1), exactFields(input, 2, 'inputs').ref, 'inputs.ref');
      return;
    case 'shared':
      exactFields(input, 4, 'inputs');
      hex32(out.byte(2), input.id, 'inputs.id');
      version(out, input.initialSharedVersion, 'inputs.initialSharedVersion');
      if (typeof input.mutable !== 'boolean') fail('inputs.mutable', 'must be a boolean', input.mutable);
      out.byte(input.mutable ? 1 : 0);
      return;
    default:
      fail('inputs.kind', "must be 'owned', 'immutable' or 'shared'", input.kind);
  }
}

function writeCommand(out: BcsScratch, value: unknown): void {
  // Every command has a kind and two fields.
  const command = record(value, 'commands', 3);
  switch (command.kind) {
    case 'transfer-objects':
      for (const id of vector(out.byte(0), command.objects, 'commands.objects')) hex32(out, id, 'commands.objects');
      hex32(out, command.recipient, 'commands.recipient');
      return;
    case 'split-coin':
      hex32(out.byte(1), command.coin, 'commands.coin');
      for (const amount of vector(out, command.amounts, 'commands.amounts')) u64(out, amount, 'commands.amounts');
      return;
    case 'merge-coins':
      hex32(out.byte(2), command.target, 'commands.target');
      for (const id of vector(out, command.sources, 'commands.sources')) hex32(out, id, 'commands.sources');
      return;
    case 'pay':
      hex32(out.byte(3), command.coin, 'commands.coin');
      for (const payment of vector(out, command.recipients, 'commands.recipients')) {
        const { address, amount } = record(payment, 'commands.recipients', 2);
        hex32(out, address, 'commands.recipients.address');
        u64(out, amount, 'commands.recipients.amount');
      }
      return;
    case 'increment-counter':
      hex32(out.byte(4), command.counter, 'commands.counter');
      u64(out, command.by, 'commands.by');
      return;
    default:
      fail('commands.kind', 'must be a known command kind', command.kind);
  }
}

function writeRef(out: BcsScratch, value: unknown, path: RefPath): void {
  const ref = record(value, path, 3);
  hex32(out, ref.id, REF_FIELDS[path].id);
  version(out, ref.version, REF_FIELDS[path].version);
  hex32(out, ref.digest, REF_FIELDS[path].digest);
}

/**
 * `value` as a plain object (of Object's prototype or none) with exactly
 * `fields` enumerable keys. The caller reads and checks each expected key,
 * and every check refuses `undefined`: so a missing key is refused there,
 * and an unknown one here.
 */
function record(value: unknown, path: string, fields: number): Record<string, unknown> {
  return exactFields(plainObject(value, path), fields, path);
}

function plainObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) fail(path, 'must be an object', value);
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) fail(path, 'must be a plain object', value);
  return value as Record<string, unknown>;
}

function exactFields(value: Record<string, unknown>, fields: number, path: string): Record<string, unknown> {
  let count = 0;
  for (const key in value) if (Object.hasOwn(value, key)) count++;
  if (count !== fields) fail(path, `must have exactly ${fields} fields, has ${count}`, value);
  return value;
}

function vector(out: BcsScratch, value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) fail(path, 'must be an array', value);
  out.uleb(value.length);
  return value;
}

function hex32(out: BcsScratch, value: unknown, path: string): void {
  if (!isCanonicalHex32(value)) fail(path, 'must be 0x and 64 lower-case hex digits', value);
  out.hex32(value);
}

const U64_MAX = 2n ** 64n - 1n;

function u64(out: BcsScratch, value: unknown, path: string): void {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) fail(path, 'must be a bigint from 0 to 2^64 - 1', value);
  out.u64(value);
}

/** Versions are numbers: safe integers from 0, and not -0 (which would decode as 0). */
function version(out: BcsScratch, value: unknown, path: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || Object.is(value, -0)) {
    fail(path, 'must be a safe integer from 0', value);
  }
  out.u64(value);
}

function fail(path: string, detail: string, value: unknown): never {
  throw new NonCanonicalTransactionError(path, `${detail}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  switch (typeof value) {
    case 'bigint':
      return `${value}n`;
    case 'string':
      return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return 'a function';
    case 'object':
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
  }
}
