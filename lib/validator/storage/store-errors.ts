import { ExecutionDriverError } from '../../errors';

/**
 * Why a database could not be opened. Nothing in it was changed.
 * - `not-writable`: the path (or its folder) cannot be created or written;
 * - `corrupt`: the file is not a readable LMDB database (damaged, or some other kind of file);
 * - `foreign`: an LMDB database, but not one of this validator's;
 * - `other-chain`: a validator database of another chain (its genesis differs), or one holding records whose chain cannot
 *   be told (no chain record and no genesis record: written by an older version whose retention pruned its genesis);
 * - `other-committee`: the committee given for the database's epoch is not the one it recorded for that epoch;
 * - `unknown-epoch`: the committee given is of a later epoch than the database's: it never reconfigured to it
 *   (restart with the committee of its epoch, or an earlier one, then reconfigure);
 * - `in-use`: another open store (in this process or another) has the database open;
 * - `newer-format`: written by a newer version of this package, whose format this one does not know;
 * - `older-format`: written by an older version whose records this one no longer reads (format 1 kept
 *   ed25519 certificates and committees); there is no migration: start from an empty database.
 * - `no-space`: the disk has too little room for what LMDB writes when it opens (its lock file, a new database's
 *   first pages). Refused before LMDB sees it: LMDB writes the lock file through a memory map, and on a full disk
 *   the kernel kills the process (SIGBUS) instead of returning an error.
 */
export type StoreOpenProblem =
  | 'not-writable'
  | 'corrupt'
  | 'foreign'
  | 'other-chain'
  | 'other-committee'
  | 'unknown-epoch'
  | 'in-use'
  | 'newer-format'
  | 'older-format'
  | 'no-space';

/** A database that cannot be used as it is. Nothing was written to it. */
export class StoreOpenError extends ExecutionDriverError {
  constructor(
    readonly problem: StoreOpenProblem,
    /** The database file. */
    readonly path: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`cannot use the database at ${path} (${problem}): ${detail}`, options);
  }
}

/**
 * The database has no room left (its map size, or the disk). The write that
 * hit it was rolled back whole: nothing of it is on disk. Whatever was
 * accepted earlier is still there; a pipeline that meets this stops taking work.
 */
export class StoreFullError extends ExecutionDriverError {
  constructor(
    /** The database file. */
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(`the database at ${path} is full (map size or disk): the write was rolled back`, options);
  }
}

/**
 * A record read from the database is damaged: its bytes are not what this
 * package writes in that table (truncated, overwritten, or of another key).
 * Nothing was written because of it, and nothing is guessed: the read (and the
 * call that made it) is refused. `table` and `key` name the record (the key as
 * text, or hex for a binary key), for an operator to restore the database.
 */
export class StoreCorruptError extends ExecutionDriverError {
  constructor(
    /** The database file. */
    readonly path: string,
    /** The table the record is in, as `executed` or `pending`. */
    readonly table: string,
    /** The record's key: its text, or `0x` and hex for a binary key. */
    readonly key: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`the database at ${path} is damaged: the record ${key} in table ${table} ${detail}`, options);
  }
}

/**
 * The store has been closed (`close()`): every read and write is refused,
 * none is answered from memory. A batch that was on its way when the close
 * began is not affected: the close waits for it to land.
 */
export class StoreClosedError extends ExecutionDriverError {
  constructor(
    /** The database file. */
    readonly path: string,
  ) {
    super(`the database at ${path} is closed`);
  }
}
