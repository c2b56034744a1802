import type { TransactionEvent } from '../../authority-state';
import { createdObjectId } from './created-object-ids';
import { type AbortCode, DELETED_OBJECT_DIGEST, type StateEffects, sealEffects } from '../model/effects';
import { objectDigest } from '../model/fast-object-encoding';
import type { ObjectKey } from '../storage/object-store';
import { type Digest, type ObjectContents, type ObjectId, type ObjectRef, type Owner, type StoredObject, refOf } from '../model/objects';
import type { Command, TransactionData } from '../model/transactions';

/** Gas units: a base cost, and a cost per command. Charged at the transaction's gas price. */
export const GAS_BASE_UNITS = 1_000n;
export const GAS_UNITS_PER_COMMAND = 200n;
const U64_MAX = 2n ** 64n - 1n;

/** Everything a transaction reads, loaded at the versions it must use. */
export interface LoadedInputs {
  /** Owned, immutable and shared inputs by id (shared ones at their assigned versions). */
  readonly objects: ReadonlyMap<ObjectId, StoredObject>;
  readonly gasCoin: StoredObject;
}

/** What executing a transaction produced: effects, events, and the batch to commit. */
export interface ExecutionOutput {
  readonly effects: StateEffects;
  readonly events: readonly TransactionEvent[];
  readonly written: StoredObject[];
  readonly deleted: ObjectKey[];
}

const SUCCESS: StateEffects['status'] = Object.freeze({ kind: 'success' });
const NO_REFS: readonly ObjectRef[] = Object.freeze([]);
const NO_EVENTS: readonly TransactionEvent[] = Object.freeze([]);

function orEmpty(refs: readonly ObjectRef[]): readonly ObjectRef[] {
  return refs.length === 0 ? NO_REFS : refs;
}

/**
 * A command's abort, caught in `executeTransaction`: a plain value, not an
 * Error, because it never escapes and capturing a stack costs more than the
 * rest of a failed transaction.
 */
class Abort {
  constructor(
    readonly code: AbortCode,
    readonly command: number,
  ) {}
}

function abort(code: AbortCode, command: number): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- see Abort: caught in executeTransaction
  throw new Abort(code, command);
}

/**
 * Execute a transaction deterministically against its loaded inputs. Pure:
 * the same inputs give the same output, byte for byte, on every validator.
 * Every object written gets the Lamport version max(input versions) + 1. An
 * abort reverts the commands but still bumps every mutable input's version
 * and charges gas, as in Sui: it is an outcome, not an exception.
 */
export function executeTransaction(data: TransactionData, digest: Digest, epoch: number, inputs: LoadedInputs): ExecutionOutput {
  // One pass over the inputs: the Lamport version, dependencies and shared objects read.
  let lamportVersion = inputs.gasCoin.version;
  const dependencies: Digest[] = [inputs.gasCoin.previousTransaction];
  const sharedObjects: ObjectRef[] = [];
  for (const object of inputs.objects.values()) {
    if (object.version > lamportVersion) lamportVersion = object.version;
    if (!dependencies.includes(object.previousTransaction)) dependencies.push(object.previousTransaction);
    if (object.owner.kind === 'shared') sharedObjects.push(refOf(object));
  }
  lamportVersion += 1;
  sortSmall(dependencies);
  const mutableIds = mutableInputIds(data, inputs);

  const session = new Session(data, digest, inputs);
  let status: StateEffects['status'] = SUCCESS;
  try {
    data.commands.forEach((command, index) => session.run(command, index));
  } catch (error) {
    if (!(error instanceof Abort)) throw error;
    status = { kind: 'failure', error: error.code, command: error.command };
    session.revert();
  }

  // Gas: charged from the gas coin as it stands after the commands.
  const cost = (GAS_BASE_UNITS + GAS_UNITS_PER_COMMAND * BigInt(data.commands.length)) * data.gas.price;
  const gasOwned = isOwnedBy(inputs.gasCoin.owner, data.sender);
  const gasBalance = coinBalance(session.contentsOf(inputs.gasCoin.id) ?? inputs.gasCoin.contents);
  let gasUsed = cost;
  if (!gasOwned) gasUsed = 0n;
  else if (cost > data.gas.budget || cost > gasBalance) {
    gasUsed = minBigInt(data.gas.budget, gasBalance);
    if (status.kind === 'success') {
      status = { kind: 'failure', error: 'insufficient-gas', command: data.commands.length };
      session.revert();
    }
  }
  if (gasOwned) {
    const balanceAfter = coinBalance(session.contentsOf(inputs.gasCoin.id) ?? inputs.gasCoin.contents) - gasUsed;
    session.setContents(inputs.gasCoin.id, { type: 'coin', balance: balanceAfter });
  }

  // Every mutable input gets a new version (contents unchanged if the transaction aborted).
  const written: StoredObject[] = [];
  const mutated: ObjectRef[] = [];
  const created: ObjectRef[] = [];
  const deleted: ObjectRef[] = [];
  const deletedKeys: ObjectKey[] = [];
  const write = (id: ObjectId, owner: Owner, contents: ObjectContents): StoredObject => {
    const object: StoredObject = { id, version: lamportVersion, owner, contents, previousTransaction: digest, digest: '' };
    (object as { digest: Digest }).digest = objectDigest(object);
    written.push(object);
    return object;
  };
  for (const id of sortSmall(mutableIds)) {
    const original = id === inputs.gasCoin.id ? inputs.gasCoin : inputs.objects.get(id);
    if (!original) continue;
    if (session.isDeleted(id)) {
      deleted.push({ id, version: lamportVersion, digest: DELETED_OBJECT_DIGEST });
      deletedKeys.push({ id, version: lamportVersion });
      continue;
    }
    mutated.push(refOf(write(id, session.ownerOf(id) ?? original.owner, session.contentsOf(id) ?? original.contents)));
  }
  for (const { id, owner, contents } of session.createdObjects()) created.push(refOf(write(id, owner, contents)));

  // Effects are kept for as long as the store keeps the transaction: empty lists are one shared, frozen array.
  const effects = sealEffects({
    transactionDigest: digest,
    epoch,
    status,
    gasUsed,
    lamportVersion,
    created: orEmpty(created),
    mutated,
    deleted: orEmpty(deleted),
    sharedObjects: orEmpty(sharedObjects),
    dependencies,
  });
  const events = status.kind === 'success' && session.events.length > 0 ? session.events : NO_EVENTS;
  return { effects, events, written, deleted: deletedKeys };
}

/** Owned inputs, mutable shared inputs and the gas coin (each once): what the transaction may write. */
function mutableInputIds(data: TransactionData, inputs: LoadedInputs): ObjectId[] {
  const ids = [inputs.gasCoin.id];
  for (const input of data.inputs) {
    const id = input.kind === 'owned' ? input.ref.id : input.kind === 'shared' && input.mutable ? input.id : undefined;
    if (id !== undefined && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** The transaction's working copy: changes are staged here and dropped on abort. */
class Session {
  readonly events: TransactionEvent[] = [];
  private contents = new Map<ObjectId, ObjectContents>();
  // Made on first use: most transactions transfer nothing and delete nothing.
  private owners: Map<ObjectId, Owner> | undefined;
  private deletedIds: Set<ObjectId> | undefined;
  private created: { id: ObjectId; owner: Owner; contents: ObjectContents }[] = [];
  private creations = 0;

  constructor(
    private readonly data: TransactionData,
    private readonly digest: Digest,
    private readonly inputs: LoadedInputs,
  ) {}

  run(command: Command, index: number): void {
    switch (command.kind) {
      case 'transfer-objects':
        for (const id of command.objects) {
          if (id === this.inputs.gasCoin.id) abort('invalid-command', index);
          this.ownedBySender(id, index);
          (this.owners ??= new Map()).set(id, { kind: 'address', address: command.recipient });
          this.events.push({ type: 'TransferObject', object: id, recipient: command.recipient });
        }
        return;
      case 'split-coin':
        this.split(command.coin, command.amounts.map((amount) => ({ address: this.data.sender, amount })), index);
        return;
      case 'pay':
        this.split(command.coin, command.recipients, index);
        return;
      case 'merge-coins': {
        let balance = this.coin(command.target, index);
        const sources = new Set(command.sources);
        if (sources.has(command.target) || sources.size !== command.sources.length || sources.has(this.inputs.gasCoin.id)) {
          abort('invalid-command', index);
        }
        for (const source of command.sources) {
          balance += this.coin(source, index);
          (this.deletedIds ??= new Set()).add(source);
        }
        if (balance > U64_MAX) abort('overflow', index);
        this.contents.set(command.target, { type: 'coin', balance });
        return;
      }
      case 'increment-counter': {
        const input = this.data.inputs.find((i) => i.kind === 'shared' && i.id === command.counter);
        const object = this.inputs.objects.get(command.counter);
        if (!input || !object) abort('not-an-input', index);
        if (input.kind !== 'shared' || !input.mutable) abort('immutable-input', index);
        const current = this.contentsOf(command.counter) ?? object.contents;
        if (current.type !== 'counter') abort('wrong-object-type', index);
        const value = current.value + command.by;
        if (value > U64_MAX) abort('overflow', index);
        this.contents.set(command.counter, { type: 'counter', value });
        this.events.push({ type: 'CounterIncremented', counter: command.counter, value: value.toString() });
        return;
      }
    }
  }

  revert(): void {
    this.contents = new Map();
    this.owners = undefined;
    this.deletedIds = undefined;
    this.created = [];
    this.events.length = 0;
  }

  contentsOf(id: ObjectId): ObjectContents | undefined {
    return this.contents.get(id);
  }

  setContents(id: ObjectId, contents: ObjectContents): void {
    this.contents.set(id, contents);
  }

  ownerOf(id: ObjectId): Owner | undefined {
    return this.owners?.get(id);
  }

  isDeleted(id: ObjectId): boolean {
    return this.deletedIds?.has(id) ?? false;
  }

  createdObjects(): readonly { id: ObjectId; owner: Owner; contents: ObjectContents }[] {
    return this.created;
  }

  private split(coinId: ObjectId, payments: readonly { address: string; amount: bigint }[], index: number): void {
    let balance = this.coin(coinId, index);
    for (const { address, amount } of payments) {
      if (amount > balance) abort('insufficient-balance', index);
      balance -= amount;
      const id = this.newObjectId();
      this.created.push({ id, owner: { kind: 'address', address }, contents: { type: 'coin', balance: amount } });
      this.events.push({ type: 'CoinCreated', object: id, recipient: address, amount: amount.toString() });
    }
    this.contents.set(coinId, { type: 'coin', balance });
  }

  /** The balance of a coin the sender owns and may spend. */
  private coin(id: ObjectId, index: number): bigint {
    const object = id === this.inputs.gasCoin.id ? this.inputs.gasCoin : this.ownedBySender(id, index);
    if (this.deletedIds?.has(id)) abort('invalid-command', index);
    const contents = this.contentsOf(id) ?? object.contents;
    if (contents.type !== 'coin') abort('wrong-object-type', index);
    return contents.balance;
  }

  private ownedBySender(id: ObjectId, index: number): StoredObject {
    const declared = this.data.inputs.some((i) => i.kind === 'owned' && i.ref.id === id);
    const object = this.inputs.objects.get(id);
    if (!object) abort('not-an-input', index);
    if (!declared) abort('immutable-input', index);
    const owner = this.owners?.get(id) ?? object.owner;
    if (!isOwnedBy(owner, this.data.sender)) abort('wrong-owner', index);
    return object;
  }

  /** Ids of created objects: derived from the transaction digest and a counter, so deterministic. */
  private newObjectId(): ObjectId {
    return createdObjectId(this.digest, this.creations++);
  }
}

function isOwnedBy(owner: Owner, address: string): boolean {
  return owner.kind === 'address' && owner.address === address;
}

function coinBalance(contents: ObjectContents): bigint {
  return contents.type === 'coin' ? contents.balance : 0n;
}

function minBigInt(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/**
 * Sort a few strings in place, by code unit as `Array.prototype.sort` does,
 * without the workspace it allocates: dependencies and written ids are two
 * or three per transaction.
 */
function sortSmall(items: string[]): string[] {
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as string;
    let j = i - 1;
    for (; j >= 0 && (items[j] as string) > item; j--) items[j + 1] = items[j] as string;
    items[j + 1] = item;
  }
  return items;
}
