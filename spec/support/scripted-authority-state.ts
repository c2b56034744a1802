// The specs script their AuthorityState with the kit users get (soma-execution-driver/testing).
export { ScriptedAuthorityState } from '../../lib/testing';
export type { ExecutionScriptFunction as Script } from '../../lib/testing';
