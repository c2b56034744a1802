/**
 * soma-execution-driver/testing: a small kit for marble tests of execution
 * ordering against the real driver. Script an `AuthorityState` per
 * certificate with marbles, build pending certificates from letters, and
 * compare outcomes as short strings.
 * @packageDocumentation
 */
export { MarbleAuthorityState, marbleAuthorityState, resultOf } from './marble-authority-state';
export type { ColdHelper, ExecutionScript, ExecutionStart, MarbleAuthorityStateOptions } from './marble-authority-state';
export { brief, certificates } from './certificates';
export type { CertificatesOptions } from './certificates';
