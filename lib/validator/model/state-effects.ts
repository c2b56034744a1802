import type { TransactionEffects } from '../../authority-state';
import type { Digest, ObjectRef } from './objects';

/** Why a transaction aborted. It still has effects, and still pays gas. */
export type AbortCode =
  | 'insufficient-gas'
  | 'insufficient-balance'
  | 'wrong-owner'
  | 'not-an-input'
  | 'wrong-object-type'
  | 'immutable-input'
  | 'invalid-command'
  | 'overflow';

export type ExecutionStatus = { readonly kind: 'success' } | { readonly kind: 'failure'; readonly error: AbortCode; readonly command: number };

/** What a transaction changed: the driver's effects, made concrete. */
export interface StateEffects extends TransactionEffects {
  readonly digest: Digest;
  readonly transactionDigest: Digest;
  readonly epoch: number;
  readonly status: ExecutionStatus;
  readonly gasUsed: bigint;
  /** The version every object written by this transaction has: max(input versions) + 1. */
  readonly lamportVersion: number;
  readonly created: readonly ObjectRef[];
  readonly mutated: readonly ObjectRef[];
  readonly deleted: readonly ObjectRef[];
  /** Shared objects read, at the versions consensus assigned. */
  readonly sharedObjects: readonly ObjectRef[];
  /** Transactions that wrote this one's inputs. */
  readonly dependencies: readonly Digest[];
}
