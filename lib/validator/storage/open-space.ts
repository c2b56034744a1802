import { statSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreOpenError } from './store-errors';

/**
 * The lock file LMDB makes beside the database: 8,272 bytes with lmdb-js's
 * defaults (measured). LMDB sizes it with ftruncate, a hole, then writes its
 * header and reader slots through a memory map: on a disk with no room for
 * those pages, the kernel kills the process (SIGBUS) instead of failing a write.
 */
const LOCK_FILE_BYTES = 8_272;
/** What a new database's first open writes: two meta pages, then its first commit (the format stamp), with room to spare. */
const NEW_DATABASE_BYTES = 64 * 1024;

/**
 * Refuse to open a database where LMDB's open would find no room: the lock
 * file is missing (or has never been written) and its pages do not fit, or
 * the database is new and its first pages do not fit. Checked before LMDB
 * sees the path, from the filesystem's free space (`statfs`, the blocks an
 * unprivileged writer may use), so nothing is written.
 * @throws StoreOpenError `no-space`, naming the file that has no room.
 */
export function checkRoomToOpen(path: string): void {
  const lock = `${path}-lock`;
  const { bavail, bsize } = statfsSync(dirname(path));
  const free = bavail * bsize;
  const pages = (bytes: number): number => Math.ceil(bytes / bsize) * bsize;
  const lockNeeds = fileWritten(lock, LOCK_FILE_BYTES) ? 0 : pages(LOCK_FILE_BYTES);
  const databaseNeeds = fileWritten(path, 1) ? 0 : pages(NEW_DATABASE_BYTES);
  if (lockNeeds + databaseNeeds <= free) return;
  const short = lockNeeds > 0 ? `its lock file ${lock} needs ${lockNeeds} bytes` : `a new database needs ${databaseNeeds} bytes`;
  const both = lockNeeds > 0 && databaseNeeds > 0 ? `, and a new database ${databaseNeeds} more` : '';
  throw new StoreOpenError('no-space', path, `${short}${both}, and the disk has ${free} bytes free: free some space, then open it again`);
}

/** Whether the file exists with at least `size` bytes, and disk blocks behind them (not only a hole). */
function fileWritten(path: string, size: number): boolean {
  try {
    const stats = statSync(path);
    return stats.size >= size && stats.blocks > 0;
  } catch {
    return false;
  }
}
