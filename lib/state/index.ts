/**
 * The reference validator around the driver: object model, canonical
 * encoding and digests, committee-signed certificates, a versioned object
 * store, the reference AuthorityState, the TransactionManager, the one-call
 * pipeline and a seeded workload generator.
 * @packageDocumentation
 */
export type { Address, Digest, ObjectContents, ObjectId, ObjectRef, Owner, StoredObject } from './objects';
export { refOf } from './objects';
export type { Command, GasData, InputObject, TransactionData } from './transactions';
export { blake2b256Hex, digestBackend, digestsReady, scopedDigest } from './digests';
export type { DigestScope } from './digests';
export { decodeTransactionData, encodeObject, encodeTransactionData } from './encoding';
export type { AbortCode, ExecutionStatus, StateEffects } from './effects';
export { DELETED_OBJECT_DIGEST, sealEffects } from './effects';
export { Committee } from './committee';
export type { Validator } from './committee';
export { generateCommittee } from './generated-committee';
export type { GeneratedCommittee } from './generated-committee';
export { certifyTransaction, transactionDigest, verifyCertificate } from './certified-transaction';
export type { AuthoritySignature, CertifiedTransaction } from './certified-transaction';
export { GENESIS_TRANSACTION, genesisBatch, genesisObject } from './genesis';
export { GAS_BASE_UNITS, GAS_UNITS_PER_COMMAND, executeTransaction } from './execute-transaction';
export type { ExecutionOutput, LoadedInputs } from './execute-transaction';
export { InMemoryObjectStore, StoreConflictError } from './object-store';
export type { CommitBatch, ExecutedRecord, InMemoryRetention, ObjectKey, ObjectStore } from './object-store';
export { ReferenceEpochStore } from './reference-epoch-store';
export { ReferenceAuthorityState } from './reference-authority-state';
export type { CommittedOutputs } from './reference-authority-state';
export { DEFAULT_ADMISSION_LIMITS, TransactionManager } from './transaction-manager';
export type {
  AdmissionBudget,
  AdmissionLimits,
  AdmissionLoad,
  ConsensusCommit,
  EnqueueResult,
  HandBackReason,
  HandedBackCertificate,
  TransactionManagerCounts,
  TransactionManagerOptions,
  TransactionManagerState,
} from './transaction-manager';
export { TransactionManagerMetrics } from './transaction-manager-metrics';
export type { TransactionManagerGauges } from './transaction-manager-metrics';
export { startValidatorPipeline } from './validator-pipeline';
export type { ValidatorPipeline, ValidatorPipelineOptions, ValidatorRunSummary } from './validator-pipeline';
export { WorkloadGenerator, generateWorkload } from './workload';
export type { Workload, WorkloadGeneratorOptions, WorkloadOptions, WorkloadStep } from './workload';
export { seededRandom } from './seeded-random';
export {
  CommitOrderError,
  ConsensusRequiredError,
  EpochEndedError,
  InputMismatchError,
  InvalidCertificateError,
  InvalidCommitteeError,
  MissingInputError,
  NonCanonicalTransactionError,
  NotACertifiedTransactionError,
  OverloadedError,
  PipelineStoppedError,
} from './errors';
export type { CertificateProblem, CommitOrderProblem, OverloadLimit } from './errors';
