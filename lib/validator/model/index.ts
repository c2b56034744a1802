/** The object model: objects, transactions, effects, their canonical BCS encoding and digests. */
export type { Address, Digest, ObjectContents, ObjectId, ObjectRef, Owner, StoredObject } from './objects';
export { refOf } from './objects';
export type { Command, GasData, InputObject, TransactionData } from './transactions';
export { blake2b256Hex, digestBackend, digestsReady, scopedDigest } from './digests';
export type { DigestScope } from './digests';
export { decodeTransactionData, encodeObject, encodeTransactionData } from './encoding';
export type { AbortCode, CancellationCode, ExecutionStatus, StateEffects } from './state-effects';
export { CANCELLATION_CODES } from './state-effects';
export { DELETED_OBJECT_DIGEST, sealEffects } from './effects';
