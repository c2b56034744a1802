import { type CertifiedTransaction, certifyTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { genesisObject } from '../../../lib/validator/execution/genesis';
import type { ObjectRef, StoredObject } from '../../../lib/validator/model/objects';
import type { InputObject, TransactionData } from '../../../lib/validator/model/transactions';
import { ALICE, id } from '../fixtures';

/*
 * A small chain for sequenced-certificate specs (cancellation, claims):
 * Alice's four gas coins, two coins X and Y, and two shared counters, with
 * a committee of four whose first three certify.
 */
export const { committee, signers } = generateCommittee(0, [1, 1, 1, 1]);
export const certify = (data: TransactionData): CertifiedTransaction => certifyTransaction(data, committee, signers.slice(0, 3));
export const CAROL = id(0xca);

const coin = (n: number, balance = 1_000_000n) => genesisObject(id(n), { kind: 'address', address: ALICE }, { type: 'coin', balance });
const counter = (n: number) => genesisObject(id(n), { kind: 'shared', initialSharedVersion: 1 }, { type: 'counter', value: 0n });
export const gasA = coin(0x1);
export const gasB = coin(0x2);
export const gasC = coin(0x3);
export const gasD = coin(0x4);
export const x = coin(0x10, 100n);
export const y = coin(0x11, 50n);
/** The two shared counters. */
export const counters = [counter(0x20), counter(0x21)] as const;
export const genesis = [gasA, gasB, gasC, gasD, x, y, ...counters];

export const gas = (payment: ObjectRef) => ({ payment, budget: 100_000n, price: 1n });
export const shared = (object: StoredObject, mutable = true): InputObject => ({ kind: 'shared', id: object.id, initialSharedVersion: 1, mutable });
