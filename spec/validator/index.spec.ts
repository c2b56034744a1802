import * as validator from '../../lib/validator';

const VALIDATOR_EXPORTS = [
  'CommitOrderError',
  'Committee',
  'ConsensusRequiredError',
  'DEFAULT_ADMISSION_LIMITS',
  'DELETED_OBJECT_DIGEST',
  'EpochEndedError',
  'GAS_BASE_UNITS',
  'GAS_UNITS_PER_COMMAND',
  'GENESIS_TRANSACTION',
  'InMemoryObjectStore',
  'LMDB_FORMAT_VERSION',
  'LmdbEpochTables',
  'LmdbObjectStore',
  'StoreClosedError',
  'StoreCorruptError',
  'StoreFullError',
  'StoreOpenError',
  'InputMismatchError',
  'InvalidCertificateError',
  'InvalidCommitteeError',
  'MissingInputError',
  'NonCanonicalTransactionError',
  'NotACertifiedTransactionError',
  'OverloadedError',
  'PipelineStoppedError',
  'ReferenceAuthorityState',
  'ReferenceEpochStore',
  'StoreConflictError',
  'TransactionManager',
  'TransactionManagerMetrics',
  'WorkloadGenerator',
  'blake2b256Hex',
  'certifyTransaction',
  'decodeTransactionData',
  'digestBackend',
  'digestsReady',
  'encodeObject',
  'encodeTransactionData',
  'executeTransaction',
  'generateCommittee',
  'generateWorkload',
  'genesisBatch',
  'genesisObject',
  'refOf',
  'scopedDigest',
  'sealEffects',
  'seededRandom',
  'startValidatorPipeline',
  'transactionDigest',
  'verifyCertificate',
  // BLS quorum signatures (issue 15)
  'BlsCommittee',
  'certificateMessage',
  'decodeSigners',
  'deriveAuthorityKey',
  'encodeSigners',
  'possessionMessage',
  'quorumSignatureSet',
  'signQuorum',
  'verifyProofOfPossession',
  'verifyQuorumSignature',
  'verifySignatureSets',
  // Batch verification on worker threads (issue 15)
  'QuorumVerifierPool',
  'VerifiedDigestCache',
  'VerifierClosedError',
  'VerifierCrashedError',
  'VerifierOverloadedError',
  'batchBySizeOrTime',
  'defaultWorkerScript',
  'verifyCertificates',
];

/** Added with BLS12-381 certificates (issue 15): the wire form and the input of the batch path. */
const CERTIFICATE_EXPORTS = ['certificateSignatureInput', 'decodeCertificate', 'encodeCertificate'];

/** Added with cancellation of sequenced certificates that can never execute (issue 12). */
const CANCELLATION_EXPORTS = ['CANCELLATION_CODES', 'InputSpentError', 'executeCancelled', 'isCancelled', 'ownedRefsOf'];
/** A durable pipeline's default bound on executions waiting for the disk without a driver slot. */
const STAGED_EXECUTION_EXPORTS = ['DURABLE_MAX_STAGED_EXECUTIONS'];
/** The driver's option error, re-exported: the validator throws it for an admission limit out of range. */
const OPTION_EXPORTS = ['InvalidOptionError'];
/** A certificate executed in the epoch whose effects the store's retention pruned, executed directly again. */
const RETENTION_EXPORTS = ['EffectsPrunedError'];

describe('soma-execution-driver/validator', () => {
  it('exports the names the 0.1 main export carried, unchanged, and the BLS, certificate, verifier, cancellation, staged-execution, option-error and retention names', () => {
    expect(Object.keys(validator).sort()).toEqual([...VALIDATOR_EXPORTS, ...CERTIFICATE_EXPORTS, ...CANCELLATION_EXPORTS, ...STAGED_EXECUTION_EXPORTS, ...OPTION_EXPORTS, ...RETENTION_EXPORTS].sort());
  });
});
