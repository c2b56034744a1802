import type { Address, ObjectId, ObjectRef } from './objects';

/** What a transaction does. Each command names its objects by id; they must be declared inputs. */
export type Command =
  /** Give whole objects (coins, counters it owns) to `recipient`. */
  | { readonly kind: 'transfer-objects'; readonly objects: readonly ObjectId[]; readonly recipient: Address }
  /** Split new coins of `amounts` off `coin`; the sender owns them. */
  | { readonly kind: 'split-coin'; readonly coin: ObjectId; readonly amounts: readonly bigint[] }
  /** Move the balances of `sources` into `target` and delete the sources. */
  | { readonly kind: 'merge-coins'; readonly target: ObjectId; readonly sources: readonly ObjectId[] }
  /** Pay each recipient a new coin split off `coin`. */
  | { readonly kind: 'pay'; readonly coin: ObjectId; readonly recipients: readonly { readonly address: Address; readonly amount: bigint }[] }
  /** Add `by` to a shared counter. */
  | { readonly kind: 'increment-counter'; readonly counter: ObjectId; readonly by: bigint };

/**
 * An input declared up front: owned and immutable objects by exact reference,
 * shared objects by id (their version is assigned at consensus commit).
 */
export type InputObject =
  | { readonly kind: 'owned'; readonly ref: ObjectRef }
  | { readonly kind: 'immutable'; readonly ref: ObjectRef }
  | { readonly kind: 'shared'; readonly id: ObjectId; readonly initialSharedVersion: number; readonly mutable: boolean };

/** The gas a transaction pays with: an owned coin, a budget and a price per unit. */
export interface GasData {
  readonly payment: ObjectRef;
  readonly budget: bigint;
  readonly price: bigint;
}

/** The signed body of a transaction. */
export interface TransactionData {
  readonly sender: Address;
  readonly inputs: readonly InputObject[];
  readonly gas: GasData;
  readonly commands: readonly Command[];
}
