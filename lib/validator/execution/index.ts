/** Executing a certified transaction: the executor, genesis, the epoch store and the reference AuthorityState. */
export { GENESIS_TRANSACTION, genesisBatch, genesisObject } from './genesis';
export { GAS_BASE_UNITS, GAS_UNITS_PER_COMMAND, executeTransaction } from './execute-transaction';
export type { ExecutionOutput, LoadedInputs } from './execute-transaction';
export { executeCancelled, isCancelled } from './cancelled-execution';
export { ReferenceEpochStore, ownedRefsOf } from './reference-epoch-store';
export type { OwnedClaim } from './reference-epoch-store';
export { ReferenceAuthorityState } from './reference-authority-state';
export type { CommittedOutputs } from './reference-authority-state';
