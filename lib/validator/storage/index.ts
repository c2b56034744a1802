/** The object store port and its stores. */
export { InMemoryObjectStore, StoreConflictError } from './object-store';
export type { CommitBatch, ExecutedRecord, InMemoryRetention, ObjectKey, ObjectStore } from './object-store';
