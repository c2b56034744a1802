import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { lmdbLayoutProblem } from './lmdb-layout';
import { StoreOpenError } from './store-errors';

/** LMDB's meta-page magic (little-endian u32 at byte 24 of the file). */
const LMDB_MAGIC = 0xbeefc0de;

/**
 * Check a database path before LMDB sees it: its folder can be created and
 * written, and an existing file is an LMDB file or empty, whose structure
 * passes {@link lmdbLayoutProblem}. (The native library crashes the process
 * on non-LMDB files and on damaged ones, so they are refused here.)
 * @throws StoreOpenError `not-writable` or `corrupt`; nothing is created but the folder.
 */
export function checkDatabasePath(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    accessSync(dirname(path), constants.W_OK);
  } catch (error) {
    throw new StoreOpenError('not-writable', path, `its folder cannot be created or written (${(error as Error).message})`, { cause: error });
  }
  if (!existsSync(path)) return;
  let stats;
  try {
    stats = statSync(path);
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw new StoreOpenError('not-writable', path, (error as Error).message, { cause: error });
  }
  if (!stats.isFile()) throw new StoreOpenError('not-writable', path, 'it is not a regular file');
  // Empty: what a power loss before LMDB's first sync leaves. Nothing in it was ever durable, so it is opened as new.
  if (stats.size === 0) return;
  const header = Buffer.alloc(32);
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (read < header.length || header.readUInt32LE(24) !== LMDB_MAGIC) {
    throw new StoreOpenError('corrupt', path, 'the file is not an LMDB database (no LMDB header)');
  }
  const damage = lmdbLayoutProblem(path);
  if (damage) throw new StoreOpenError('corrupt', path, `its LMDB structure is damaged: ${damage}`);
}
