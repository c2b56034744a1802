import fc from 'fast-check';
import type { ObjectContents, ObjectRef, Owner } from '../../lib/validator/model/objects';
import type { Command, InputObject, TransactionData } from '../../lib/validator/model/transactions';

/** Random 32-byte hex values, for ids, addresses and digests. */
export const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `0x${Buffer.from(b).toString('hex')}`);
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const version = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });

export const objectRef: fc.Arbitrary<ObjectRef> = fc.record({ id: hex32, version, digest: hex32 });

export const owner: fc.Arbitrary<Owner> = fc.oneof(
  hex32.map((address) => ({ kind: 'address', address }) as const),
  version.map((initialSharedVersion) => ({ kind: 'shared', initialSharedVersion }) as const),
  fc.constant({ kind: 'immutable' } as const),
);

export const contents: fc.Arbitrary<ObjectContents> = fc.oneof(
  u64.map((balance) => ({ type: 'coin', balance }) as const),
  u64.map((value) => ({ type: 'counter', value }) as const),
);

const input: fc.Arbitrary<InputObject> = fc.oneof(
  objectRef.map((ref) => ({ kind: 'owned', ref }) as const),
  objectRef.map((ref) => ({ kind: 'immutable', ref }) as const),
  fc.record({ id: hex32, initialSharedVersion: version, mutable: fc.boolean() }).map((s) => ({ kind: 'shared', ...s }) as const),
);

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ objects: fc.array(hex32, { maxLength: 3 }), recipient: hex32 }).map((c) => ({ kind: 'transfer-objects', ...c }) as const),
  fc.record({ coin: hex32, amounts: fc.array(u64, { maxLength: 3 }) }).map((c) => ({ kind: 'split-coin', ...c }) as const),
  fc.record({ target: hex32, sources: fc.array(hex32, { maxLength: 3 }) }).map((c) => ({ kind: 'merge-coins', ...c }) as const),
  fc
    .record({ coin: hex32, recipients: fc.array(fc.record({ address: hex32, amount: u64 }), { maxLength: 3 }) })
    .map((c) => ({ kind: 'pay', ...c }) as const),
  fc.record({ counter: hex32, by: u64 }).map((c) => ({ kind: 'increment-counter', ...c }) as const),
);

export const transactionData: fc.Arbitrary<TransactionData> = fc.record({
  sender: hex32,
  inputs: fc.array(input, { maxLength: 4 }),
  gas: fc.record({ payment: objectRef, budget: u64, price: u64 }),
  commands: fc.array(command, { maxLength: 4 }),
});
