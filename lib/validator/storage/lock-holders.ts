import { readFileSync, statSync } from 'node:fs';

/** What the check across processes found: the other processes' ids, or why it could not look. */
export type LockHolders = { readonly checked: true; readonly pids: readonly number[] } | { readonly checked: false; readonly why: string };

/**
 * The other processes that have an LMDB environment open, read from the
 * kernel's lock table. Every process with the environment open holds a
 * shared POSIX lock on its lock file (`<path>-lock`, taken in
 * `mdb_env_open`), and the kernel drops it when the process dies, kill -9
 * included: nothing stale is left behind. Linux only (`/proc/locks`); the
 * lock of this process must show there, or the table cannot be read
 * reliably (another pid namespace's procfs) and nothing is concluded.
 * Call it with this process's environment open.
 */
export function otherLockHolders(lockFile: string, procLocks = '/proc/locks'): LockHolders {
  let table: string;
  let inode: number;
  try {
    table = readFileSync(procLocks, 'utf8');
    inode = statSync(lockFile).ino;
  } catch (error) {
    return { checked: false, why: `cannot read the kernel's lock table (${(error as Error).message})` };
  }
  const locks = table.split('\n').flatMap((line) => {
    // "1: POSIX  ADVISORY  READ 29311 fe:00:4441226 0 0"; a blocked request has "->" after the number.
    const fields = line.trim().split(/\s+/).filter((f) => f !== '->');
    const [, kind, , , pid, file] = fields;
    const match = /^([0-9a-f]+:[0-9a-f]+):(\d+)$/i.exec(file ?? '');
    if (kind !== 'POSIX' || !match || Number(match[2]) !== inode) return [];
    return [{ pid: Number(pid), device: match[1] as string }];
  });
  // The device as the kernel prints it for this file, learnt from this process's own lock (no dev_t decoding).
  const own = locks.find((lock) => lock.pid === process.pid);
  if (!own) return { checked: false, why: "this process's own lock is not in the kernel's lock table" };
  const pids = new Set(locks.filter((lock) => lock.device === own.device && lock.pid !== process.pid).map((lock) => lock.pid));
  return { checked: true, pids: [...pids].sort((a, b) => a - b) };
}

/** A process as an error names it: its id and, when readable, its command line. */
export function describeProcess(pid: number): string {
  if (pid <= 0) return 'a process of another pid namespace';
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return command ? `pid ${pid} (${command.length > 80 ? `${command.slice(0, 77)}...` : command})` : `pid ${pid}`;
  } catch {
    return `pid ${pid}`;
  }
}
