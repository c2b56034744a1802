import type { LmdbEpochTables } from './lmdb-epoch-tables';
import type { ObjectStore } from './object-store';
import type { Digest, StoredObject } from '../model/objects';

/**
 * The epoch tables a durable pipeline persists its accepted work in: the
 * methods of {@link LmdbEpochTables}, as a port, so that another store (the
 * simulator's in-memory disk) can stand in for LMDB.
 */
export type EpochTables = Pick<
  LmdbEpochTables,
  'lastCommitIndex' | 'commit' | 'pendingCertificates' | 'pendingCount' | 'nextSharedVersions' | 'ownedClaims' | 'committee' | 'recordAccepted' | 'recordCommit' | 'recordCommits' | 'forget' | 'recordEpoch'
>;

/**
 * The chain a database belongs to: its genesis effects' digest and the epoch
 * genesis was written in (the effects name it). Recorded once, when the
 * database is created, and never pruned: a restart checks it, whatever the
 * retention dropped since.
 */
export interface ChainRecord {
  readonly genesisDigest: Digest;
  readonly genesisEpoch: number;
}

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
  /** The chain recorded when the database was created (`undefined`: none yet; a database written before this record existed has none until its next start records it). */
  chain(): ChainRecord | undefined;
  /** Record the database's chain, once, right after its genesis. Resolves once on disk. */
  recordChain(chain: ChainRecord): Promise<void>;
  /** Whether the database holds nothing yet: no object, no executed record, no epoch-table record. */
  isEmpty(): boolean;
  /** Every live object at its latest version, for comparing stores. */
  liveObjects(): StoredObject[];
  /**
   * Resolves once each of these transactions, if a batch of it is staged
   * and not yet on disk, is on disk; rejects with the store's error if one
   * failed to land. An answer read from a staged batch (`already-executed`)
   * is given only once it holds after a crash.
   */
  whenOnDisk(digests: readonly Digest[]): Promise<void>;
  /** Wait for pending writes, then close. Idempotent. */
  close(): Promise<void>;
}
