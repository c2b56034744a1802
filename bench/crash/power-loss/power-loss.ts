/**
 * A power loss, simulated on top of kill -9 (see unsynced-writes.c): the
 * child runs with a shim that logs what each unsynced write to the database
 * overwrote; after the kill, the parent undoes those writes, newest first,
 * so the file holds only what had been synced, as after a power cut.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The environment that puts a child under the shim for one database, each of its syncs taking at least `syncUs`. */
export interface PowerLossShim {
  readonly library: string;
  env(database: string, undoLog: string, syncUs: number): NodeJS.ProcessEnv;
}

/** How long each sync of the database takes at least under the shim, by default: a disk's fsync, not a virtual disk's cache. */
export const SIMULATED_SYNC_US = 2_000;

/**
 * Compile the shim into `directory` (with the system's C compiler).
 * @throws Error saying so when there is no `gcc`.
 */
export function buildPowerLossShim(directory: string): PowerLossShim {
  const library = join(directory, 'unsynced-writes.so');
  try {
    execFileSync('gcc', ['-shared', '-fPIC', '-O2', '-o', library, join(__dirname, 'unsynced-writes.c'), '-ldl', '-lpthread'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`the power-loss simulation needs gcc to build its shim: ${String(error)}`, { cause: error });
  }
  return {
    library,
    env: (database, undoLog, syncUs) => ({ LD_PRELOAD: library, POWER_LOSS_FILE: database, POWER_LOSS_UNDO: undoLog, POWER_LOSS_SYNC_DELAY_US: String(syncUs) }),
  };
}

/** What a simulated power loss undid. */
export interface PowerLoss {
  /** Writes that had not been synced, undone. */
  readonly undoneWrites: number;
  readonly undoneBytes: number;
}

const RECORD_HEADER = 32;
const UNDO = 0;

/**
 * Undo every write past the log's watermark, newest first, cut the file back
 * to its size before the first of them, then redo the O_DSYNC writes among
 * them, oldest first (they were on disk). A record cut short by the kill is
 * dropped: its write came after it, so it never began.
 */
export function losePower(database: string, undoLog: string): PowerLoss {
  if (!existsSync(undoLog) || !existsSync(database)) return { undoneWrites: 0, undoneBytes: 0 };
  const log = readFileSync(undoLog);
  if (log.length < 8) return { undoneWrites: 0, undoneBytes: 0 };
  const records: { kind: number; offset: number; bytes: Buffer; sizeBefore: number }[] = [];
  for (let at = Number(log.readBigUInt64LE(0)); at + RECORD_HEADER <= log.length; ) {
    const kind = Number(log.readBigUInt64LE(at));
    const offset = Number(log.readBigUInt64LE(at + 8));
    const length = Number(log.readBigUInt64LE(at + 16));
    const sizeBefore = Number(log.readBigUInt64LE(at + 24));
    if (at + RECORD_HEADER + length > log.length) break;
    records.push({ kind, offset, bytes: log.subarray(at + RECORD_HEADER, at + RECORD_HEADER + length), sizeBefore });
    at += RECORD_HEADER + length;
  }
  const undone = records.filter((r) => r.kind === UNDO);
  const first = undone[0];
  if (first === undefined) return { undoneWrites: 0, undoneBytes: 0 };
  const fd = openSync(database, 'r+');
  try {
    for (const record of [...undone].reverse()) writeSync(fd, record.bytes, 0, record.bytes.length, record.offset);
    ftruncateSync(fd, first.sizeBefore);
    for (const record of records) if (record.kind !== UNDO) writeSync(fd, record.bytes, 0, record.bytes.length, record.offset);
  } finally {
    closeSync(fd);
  }
  return { undoneWrites: undone.length, undoneBytes: undone.reduce((sum, r) => sum + r.bytes.length, 0) };
}
