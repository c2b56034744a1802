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
];

describe('soma-execution-driver/validator', () => {
  it('exports the names the 0.1 main export carried, unchanged', () => {
    expect(Object.keys(validator).sort()).toEqual([...VALIDATOR_EXPORTS].sort());
  });
});
