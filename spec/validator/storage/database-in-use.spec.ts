import { type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { generateWorkload } from '../../../lib/validator/workload/workload';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { otherLockHolders } from '../../../lib/validator/storage/lock-holders';
import { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { silentLogger } from '../../support/silent-logger';
import { temporaryDatabase } from './temporary-database';

const program = join(__dirname, 'programs/hold-database.ts');
const tsx = ['--require', require.resolve('tsx/cjs'), program];

type Holder = ChildProcessByStdio<Writable, Readable, null>;

/** A child process holding the database open, once it says so. */
async function holder(path: string): Promise<{ child: Holder; pid: number }> {
  const child = spawn(process.execPath, [...tsx, path], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (data: Buffer) => {
      out += String(data);
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`the holder exited (${String(code)}): ${out}`)));
  });
  expect(line).toBe(`open ${String(child.pid)}`);
  return { child, pid: child.pid as number };
}

function exited(child: Holder): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.on('exit', () => resolve())));
}

function refusal(open: () => unknown): { problem?: string; message: string } {
  try {
    open();
  } catch (error) {
    return error as { problem?: string; message: string };
  }
  throw new Error('it opened');
}

describe('one store per database', () => {
  it('refuses a second open in this process, by any spelling of the path, until the first is closed', async () => {
    const path = await temporaryDatabase();
    const first = LmdbObjectStore.open({ path });
    const link = join(dirname(path), 'link.mdb');
    symlinkSync(path, link);
    for (const spelling of [path, link, join(dirname(path), '.', 'validator.mdb')]) {
      const error = refusal(() => LmdbObjectStore.open({ path: spelling }));
      expect(error).toMatchObject({ name: 'StoreOpenError', problem: 'in-use' });
      expect(error.message).toContain(`this process (pid ${process.pid})`);
    }
    await first.close();
    const again = LmdbObjectStore.open({ path: link });
    await again.close();
  });

  it('refuses a second pipeline on a database a pipeline runs on', async () => {
    const workload = generateWorkload({ seed: 3, transactions: 2, accounts: 4, contention: 0 });
    const path = await temporaryDatabase();
    const start = () => startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis, database: path, logger: silentLogger, verifySignatures: false });
    const first = await start();
    await expect(start()).rejects.toMatchObject({ name: 'StoreOpenError', problem: 'in-use', path });
    await first.stop();
    await (await start()).stop();
  });

  it('refuses it while another process holds it, naming that process, and not after the holder is killed with SIGKILL', async () => {
    const path = await temporaryDatabase();
    const { child, pid } = await holder(path);
    const error = refusal(() => LmdbObjectStore.open({ path }));
    expect(error).toMatchObject({ name: 'StoreOpenError', problem: 'in-use' });
    expect(error.message).toContain(`another process has it open: pid ${pid} (`);
    child.kill('SIGKILL');
    await exited(child);
    // The kernel dropped the holder's lock with it: the restart opens at once.
    const store = LmdbObjectStore.open({ path });
    // And another process is refused while this one holds it; once closed, it opens.
    expect(spawnSync(process.execPath, [...tsx, path], { encoding: 'utf8', input: '' }).stdout.trim()).toMatch(/^refused in-use: .*another process has it open: pid \d+/);
    await store.close();
    expect(spawnSync(process.execPath, [...tsx, path], { encoding: 'utf8', input: '' }).stdout.trim()).toMatch(/^open \d+$/);
  }, 30_000);
});

describe('otherLockHolders', () => {
  it("reads the other processes' locks on the file from the kernel's table, and concludes nothing without this process's own", async () => {
    const path = await temporaryDatabase();
    const store = LmdbObjectStore.open({ path });
    try {
      const lockFile = `${path}-lock`;
      expect(otherLockHolders(lockFile)).toEqual({ checked: true, pids: [] });
      const { ino } = statSync(lockFile);
      const table = join(dirname(path), 'locks');
      const own = `1: POSIX  ADVISORY  READ ${process.pid} fe:00:${ino} 0 0`;
      writeFileSync(table, [own, `2: POSIX  ADVISORY  READ 4242 fe:00:${ino} 0 0`, `3: -> POSIX  ADVISORY  WRITE 77 fe:00:${ino} 0 0`, `4: POSIX  ADVISORY  READ 99 fe:01:${ino} 0 0`, `5: FLOCK  ADVISORY  WRITE 98 fe:00:${ino} 0 EOF`].join('\n'));
      // Another device's file with the same inode number, and flock locks, are not LMDB's lock on this file.
      expect(otherLockHolders(lockFile, table)).toEqual({ checked: true, pids: [77, 4242] });
      writeFileSync(table, `2: POSIX  ADVISORY  READ 4242 fe:00:${ino} 0 0\n`);
      expect(otherLockHolders(lockFile, table)).toMatchObject({ checked: false });
      expect(otherLockHolders(lockFile, join(dirname(path), 'absent'))).toMatchObject({ checked: false });
    } finally {
      await store.close();
    }
  });
});
