/** The object store port and its stores. */
export { InMemoryObjectStore, StoreConflictError } from './object-store';
export type { CommitBatch, ExecutedRecord, InMemoryRetention, ObjectKey, ObjectStore } from './object-store';
export { LMDB_FORMAT_VERSION, LmdbObjectStore } from './lmdb-object-store';
export type { LmdbObjectStoreOptions } from './lmdb-object-store';
export { LmdbEpochTables } from './lmdb-epoch-tables';
export type { PersistedCommittee, ProcessedCommit } from './lmdb-epoch-tables';
export type { ChainRecord, DurableObjectStore, EpochTables } from './durable-store';
export { StoreClosedError, StoreCorruptError, StoreFullError, StoreOpenError } from './store-errors';
export type { StoreOpenProblem } from './store-errors';
