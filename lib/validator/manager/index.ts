/** The TransactionManager: admission, input readiness, consensus commit order, and its metrics. */
export { DEFAULT_ADMISSION_LIMITS, TransactionManager } from './transaction-manager';
export type { AdmissionLimits, ConsensusCommit, HandedBackCertificate, TransactionManagerOptions, TransactionManagerState } from './transaction-manager';
export type { AdmissionBudget, AdmissionLoad, EnqueueResult, HandBackReason, TransactionManagerCounts } from './transaction-manager-types';
export { TransactionManagerMetrics } from './transaction-manager-metrics';
export type { TransactionManagerGauges } from './transaction-manager-metrics';
