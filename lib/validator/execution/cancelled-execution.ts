import type { TransactionEvent } from '../../authority-state';
import type { ExecutionOutput } from './execute-transaction';
import { type CancellationCode, type StateEffects, sealEffects } from '../model/effects';
import { objectDigest } from '../model/fast-object-encoding';
import { lamportVersion as lamportVersionOf } from '../model/lamport-version';
import { type Digest, type ObjectId, type ObjectRef, type StoredObject, refOf } from '../model/objects';
import type { TransactionData } from '../model/transactions';

const NO_REFS: readonly ObjectRef[] = Object.freeze([]);
const NO_EVENTS: readonly TransactionEvent[] = Object.freeze([]);

/**
 * Execute a sequenced transaction as cancelled (Sui's answer to a sequenced
 * certificate that cannot run): consensus gave its shared inputs versions,
 * and what follows on those objects waits for them, so it must write them
 * even though it cannot run. Pure and deterministic, as `executeTransaction`:
 * - nothing owned changes: no owned input, no gas coin is written, and no gas
 *   is charged (the gas coin may be the very input that is unavailable, and
 *   no owned input was locked for this transaction);
 * - every mutable shared input is written at the transaction's Lamport
 *   version (the one the TransactionManager predicted from the certificate:
 *   its gas, owned and assigned shared versions), contents unchanged;
 *   read-only shared inputs are read, not written;
 * - the effects' status is a failure naming `reason`, command 0 (nothing ran).
 *
 * `shared` holds every shared input at the version consensus assigned it.
 */
export function executeCancelled(
  data: TransactionData,
  digest: Digest,
  epoch: number,
  shared: ReadonlyMap<ObjectId, StoredObject>,
  reason: CancellationCode,
): ExecutionOutput {
  const versionOf = (id: ObjectId): number => (shared.get(id) as StoredObject).version;
  const lamportVersion = lamportVersionOf(data.gas.payment.version, data.inputs, (input) => (input.kind === 'shared' ? versionOf(input.id) : input.ref.version));
  const written: StoredObject[] = [];
  const sharedObjects: ObjectRef[] = [];
  const dependencies: Digest[] = [];
  const mutable: StoredObject[] = [];
  for (const input of data.inputs) {
    if (input.kind !== 'shared') continue;
    const object = shared.get(input.id) as StoredObject;
    if (sharedObjects.some((ref) => ref.id === object.id)) continue;
    sharedObjects.push(refOf(object));
    if (!dependencies.includes(object.previousTransaction)) dependencies.push(object.previousTransaction);
    if (input.mutable) mutable.push(object);
  }
  // Written in id order, as executeTransaction writes its mutable inputs.
  mutable.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const original of mutable) {
    const object: StoredObject = { id: original.id, version: lamportVersion, owner: original.owner, contents: original.contents, previousTransaction: digest, digest: '' };
    (object as { digest: Digest }).digest = objectDigest(object);
    written.push(object);
  }
  dependencies.sort();
  const status: StateEffects['status'] = { kind: 'failure', error: reason, command: 0 };
  const effects = sealEffects({
    transactionDigest: digest,
    epoch,
    status,
    gasUsed: 0n,
    lamportVersion,
    created: NO_REFS,
    mutated: written.map(refOf),
    deleted: NO_REFS,
    sharedObjects: sharedObjects.length === 0 ? NO_REFS : sharedObjects,
    dependencies,
  });
  return { effects, events: NO_EVENTS, written, deleted: [] };
}

/** Did these effects come from {@link executeCancelled}? */
export function isCancelled(effects: Pick<StateEffects, 'status'>): boolean {
  return effects.status.kind === 'failure' && effects.status.error === 'input-unavailable';
}
