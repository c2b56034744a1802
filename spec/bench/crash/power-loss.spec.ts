import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIMULATED_SYNC_US, buildPowerLossShim, losePower } from '../../../bench/crash/power-loss/power-loss';

// A process under the shim: a synced write, two unsynced ones (an overwrite and an extension), an O_DSYNC one, then SIGKILL.
const WRITER = `
const fs = require('fs');
const path = process.argv[1];
const fd = fs.openSync(path, 'w+');
fs.writeSync(fd, Buffer.alloc(4096, 'a'), 0, 4096, 0);
fs.fsyncSync(fd);
fs.writeSync(fd, Buffer.alloc(4096, 'b'), 0, 4096, 0);
fs.writeSync(fd, Buffer.alloc(4096, 'c'), 0, 4096, 4096);
const durable = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_DSYNC);
fs.writeSync(durable, Buffer.from('durable'), 0, 7, 100);
process.kill(process.pid, 'SIGKILL');
`;

describe('the simulated power loss (bench/crash/power-loss)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'soma-power-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('leaves the file of a killed process with only what was synced: unsynced writes undone, O_DSYNC ones kept', () => {
    const shim = buildPowerLossShim(directory);
    const file = join(directory, 'data');
    const undoLog = join(directory, 'undo.log');
    const child = spawnSync(process.execPath, ['-e', WRITER, file], { env: { ...process.env, ...shim.env(file, undoLog, SIMULATED_SYNC_US) } });
    expect(child.signal).toBe('SIGKILL');
    // The kill alone loses nothing: the page cache has every write.
    const killed = readFileSync(file);
    expect(killed.length).toBe(8192);
    expect(killed.subarray(0, 100).toString()).toBe('b'.repeat(100));
    expect(losePower(file, undoLog)).toEqual({ undoneWrites: 2, undoneBytes: 4096 });
    const expected = Buffer.alloc(4096, 'a');
    expected.write('durable', 100);
    expect(readFileSync(file)).toEqual(expected);
  });
});
