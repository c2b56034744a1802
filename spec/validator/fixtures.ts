import { type CertifiedTransaction, certifyTransaction } from '../../lib/validator/certificates/certified-transaction';
import { executeTransaction } from '../../lib/validator/execution/execute-transaction';
import { generateCommittee } from '../../lib/validator/certificates/generated-committee';
import { genesisBatch, genesisObject } from '../../lib/validator/execution/genesis';
import { type InMemoryRetention, InMemoryObjectStore } from '../../lib/validator/storage/object-store';
import { type ObjectRef, type StoredObject, refOf } from '../../lib/validator/model/objects';
import { ReferenceAuthorityState } from '../../lib/validator/execution/reference-authority-state';
import type { TransactionData } from '../../lib/validator/model/transactions';

export const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
export const ALICE = id(0xa1);
export const BOB = id(0xb0);

/** A store with Alice's gas coin, a coin of hers, and a shared counter; a state over it; certifying helpers. */
export async function setup(retention: InMemoryRetention = {}) {
  const { committee, signers } = generateCommittee(0, [1, 1, 1, 1]);
  const store = new InMemoryObjectStore(retention);
  const gas = genesisObject(id(1), { kind: 'address', address: ALICE }, { type: 'coin', balance: 1_000_000n });
  const coin = genesisObject(id(2), { kind: 'address', address: ALICE }, { type: 'coin', balance: 100n });
  const counter = genesisObject(id(3), { kind: 'shared', initialSharedVersion: 1 }, { type: 'counter', value: 0n });
  await store.commit(genesisBatch([gas, coin, counter]));
  const state = new ReferenceAuthorityState(store, committee);
  // Another epoch's certificates are signed by that epoch's committee (same stakes, its own keys).
  const committees = new Map([[0, { committee, signers }]]);
  const certify = (data: TransactionData, epoch = 0): CertifiedTransaction => {
    const signing = committees.get(epoch) ?? generateCommittee(epoch, [1, 1, 1, 1]);
    committees.set(epoch, signing);
    return certifyTransaction(data, signing.committee, signing.signers.slice(0, 3));
  };
  const transfer = (object: ObjectRef, gasRef: ObjectRef, recipient = BOB): TransactionData => ({
    sender: ALICE,
    inputs: [{ kind: 'owned', ref: object }],
    gas: { payment: gasRef, budget: 10_000n, price: 1n },
    commands: [{ kind: 'transfer-objects', objects: [object.id], recipient }],
  });
  const increment = (gasRef: ObjectRef, by = 1n): TransactionData => ({
    sender: ALICE,
    inputs: [{ kind: 'shared', id: counter.id, initialSharedVersion: 1, mutable: true }],
    gas: { payment: gasRef, budget: 10_000n, price: 1n },
    commands: [{ kind: 'increment-counter', counter: counter.id, by }],
  });
  return { committee, signers, store, state, gas, coin, counter, certify, transfer, increment };
}

/** The objects a transaction will write, known in advance because execution is deterministic. */
export function predictOutputs(certificate: CertifiedTransaction, inputs: StoredObject[], gasCoin: StoredObject): (objectId: string) => ObjectRef {
  const output = executeTransaction(certificate.data, certificate.digest, certificate.epoch, {
    objects: new Map(inputs.map((o) => [o.id, o])),
    gasCoin,
  });
  return (objectId) => refOf(output.written.find((o) => o.id === objectId) as StoredObject);
}
