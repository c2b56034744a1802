/** The one-call validator pipeline: certificates and commits in, driver outcomes out. */
export { DURABLE_MAX_STAGED_EXECUTIONS, startValidatorPipeline } from './validator-pipeline';
export type { PipelineAuthorityState, ValidatorPipeline, ValidatorPipelineOptions, ValidatorRunSummary } from './validator-pipeline';
export type { RecoveryReport } from './durable-state';
export type { PipelineVerificationOptions, PipelineVerificationStats } from './signature-verification';
