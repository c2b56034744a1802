import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StoreOpenError } from './store-errors';

/** Databases this process has open, by real path: a second store on one file would write beside the first. */
const openPaths = new Map<string, { readonly openedAt: string }>();

/**
 * Claim a database file for this process's one open store, until the
 * returned release is called. Its folder must exist. Symbolic links are
 * resolved, so two spellings of one file are one claim. (Each worker thread
 * has its own claims: only the check across processes sees another thread.)
 * @throws StoreOpenError `in-use` if a store of this process has it open.
 */
export function claimPath(path: string): () => void {
  const key = existsSync(path) ? realpathSync(path) : join(realpathSync(dirname(path)), basename(path));
  const holder = openPaths.get(key);
  if (holder) throw new StoreOpenError('in-use', path, `a store of this process (pid ${process.pid}) has it open, since ${holder.openedAt}: close it first`);
  const claim = { openedAt: new Date().toISOString() };
  openPaths.set(key, claim);
  return () => {
    if (openPaths.get(key) === claim) openPaths.delete(key);
  };
}
