import type { LmdbEpochTables } from './lmdb-epoch-tables';
import type { ObjectStore } from './object-store';
import type { StoredObject } from '../model/objects';

/**
 * The epoch tables a durable pipeline persists its accepted work in: the
 * methods of {@link LmdbEpochTables}, as a port, so that another store (the
 * simulator's in-memory disk) can stand in for LMDB.
 */
export type EpochTables = Pick<
  LmdbEpochTables,
  'lastCommitIndex' | 'commit' | 'pendingCertificates' | 'pendingCount' | 'nextSharedVersions' | 'committee' | 'recordAccepted' | 'recordCommit' | 'forget' | 'recordEpoch'
>;

/**
 * What `startValidatorPipeline({ database })` needs of a durable store: the
 * `ObjectStore` port, whose commit batch also removes the certificate from
 * the pending table, plus the epoch tables, in one write order.
 * `LmdbObjectStore` is one.
 */
export interface DurableObjectStore extends ObjectStore {
  /** Where it lives, for error messages. */
  readonly path: string;
  readonly epochTables: EpochTables;
  /** Every live object at its latest version, for comparing stores. */
  liveObjects(): StoredObject[];
  /** Wait for pending writes, then close. Idempotent. */
  close(): Promise<void>;
}
