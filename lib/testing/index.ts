/**
 * soma-execution-driver/testing: a small kit for marble tests of execution
 * ordering against the real driver. Script an `AuthorityState` per
 * certificate with marbles (or with a function), build pending certificates
 * from letters, and compare outcomes as short strings.
 * @packageDocumentation
 */
export { MarbleAuthorityState, marbleAuthorityState, resultOf } from './marble-authority-state';
export type { ColdHelper, ExecutionScript, MarbleAuthorityStateOptions } from './marble-authority-state';
export { ScriptedAuthorityState } from './scripted-authority-state';
export type { ExecutionScriptFunction, ExecutionStart, ScriptedAuthorityStateOptions } from './scripted-authority-state';
export { brief, certificates } from './certificates';
export type { CertificatesOptions } from './certificates';
