import { BcsScratch } from '../model/direct-bcs';
import { blake2b256Hex } from '../model/digests';
import type { Digest, ObjectId } from '../model/objects';
import type { TransactionData } from '../model/transactions';

/** Reused for created objects' id seeds: hashed in place, synchronously. */
const idSeed = new BcsScratch();

/**
 * The id of the `n`th object a transaction creates: derived from its digest
 * and a counter, so execution is deterministic and the manager can tell, before
 * execution, which transaction will create an object someone waits for.
 */
export function createdObjectId(transaction: Digest, n: number): ObjectId {
  return blake2b256Hex(idSeed.reset().hex32(transaction).u64(n).view());
}

/** How many objects the transaction creates if it succeeds (one per split amount or payment recipient). */
export function creationCount(data: TransactionData): number {
  let count = 0;
  for (const command of data.commands) {
    if (command.kind === 'split-coin') count += command.amounts.length;
    else if (command.kind === 'pay') count += command.recipients.length;
  }
  return count;
}
