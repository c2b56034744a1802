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

/**
 * Why a sequenced transaction was executed as cancelled: `input-unavailable`,
 * an owned input (or the gas coin) it names can never be read at that version
 * with that digest (spent already: the object is past that version, or
 * deleted; or the digest is another's). A cancelled transaction changes no
 * owned object and pays no gas; its mutable shared inputs are written at its
 * Lamport version, unchanged (see `executeCancelled`).
 */
export type CancellationCode = 'input-unavailable';

/** Every {@link CancellationCode}. */
export const CANCELLATION_CODES: readonly CancellationCode[] = Object.freeze(['input-unavailable']);

/**
 * `failure`: aborted (an {@link AbortCode}; `command` is the command that
 * aborted, or the number of commands for `insufficient-gas`), or cancelled (a
 * {@link CancellationCode}; `command` is 0, as nothing ran).
 */
export type ExecutionStatus =
  | { readonly kind: 'success' }
  | { readonly kind: 'failure'; readonly error: AbortCode | CancellationCode; readonly command: number };

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
