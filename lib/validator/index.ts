/**
 * soma-execution-driver/validator: the reference validator around the
 * driver. Object model, canonical encoding and digests, committee-signed
 * certificates (BLS12-381 aggregate quorum signatures), a versioned object
 * store, the reference AuthorityState, the TransactionManager, the one-call
 * pipeline, a seeded workload generator, and batch verification of BLS
 * quorum signatures on a pool of worker threads.
 * @packageDocumentation
 */
export * from './model';
export * from './certificates';
export * from './bls';
export * from './execution';
export * from './storage';
export * from './manager';
export * from './pipeline';
export * from './workload';
export * from './verifier';
export {
  CommitOrderError,
  ConsensusRequiredError,
  EffectsPrunedError,
  EpochEndedError,
  InputMismatchError,
  InputSpentError,
  InvalidCertificateError,
  InvalidCommitteeError,
  MissingInputError,
  NonCanonicalTransactionError,
  NotACertifiedTransactionError,
  OverloadedError,
  PipelineStoppedError,
} from './errors';
export type { CertificateProblem, CommitOrderProblem, OverloadLimit } from './errors';
/** The driver's option error, thrown here too for an option out of range (admission limits, verification, retention). */
export { InvalidOptionError } from '../errors';
