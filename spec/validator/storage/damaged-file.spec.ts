import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { lmdbLayoutProblem } from '../../../lib/validator/storage/lmdb-layout';
import { generateWorkload } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { temporaryDatabase } from './temporary-database';

// Damaged database files are refused before lmdb-js maps them: mapped, they kill the process (SIGBUS, SIGFPE).
const program = join(__dirname, 'programs/hold-database.ts');
const workload = generateWorkload({ seed: 3, transactions: 60, accounts: 8, contention: 0 });
let good = '';
let pageSize = 0;

beforeAll(async () => {
  good = await temporaryDatabase();
  const pipeline = await startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis, database: good, logger: silentLogger, verifySignatures: false });
  for (const [i, step] of workload.steps.entries()) {
    if (step.shared) await pipeline.commit({ digest: `c${i}`, index: i, certificates: [step.certificate] });
    else await pipeline.submit([step.certificate]);
  }
  await pipeline.stop();
  pageSize = readFileSync(good).readUInt32LE(48);
}, 30_000);

/** A copy of the good database, damaged. */
function damaged(name: string, damage: (path: string) => void): string {
  const path = join(dirname(good), `${name}.mdb`);
  copyFileSync(good, path);
  damage(path);
  return path;
}

function overwrite(path: string, position: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, bytes, 0, bytes.length, position);
  closeSync(fd);
}

function u64(value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return bytes;
}

/** Open it in a child process (a signal kills only the child): what it printed, and how it ended. */
function openInChild(path: string): { stdout: string; status: number | null; signal: NodeJS.Signals | null } {
  const child = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), program, path], { encoding: 'utf8', input: '', timeout: 30_000 });
  return { stdout: child.stdout.trim(), status: child.status, signal: child.signal };
}

describe('a damaged database file', () => {
  const cases: [string, (path: string) => void, RegExp][] = [
    ['truncated after its meta pages', (p) => truncateSync(p, 2 * pageSize), /reaches page \d+, past the end of the file \(2 pages\)/],
    ['truncated to half', (p) => truncateSync(p, Math.floor(statSync(p).size / 2 / pageSize) * pageSize), /past the end of the file/],
    ['shorter than its meta pages', (p) => truncateSync(p, pageSize + 100), /shorter than its two meta pages/],
    ['both meta pages zeroed after the magic', (p) => [0, pageSize].forEach((at) => overwrite(p, at + 40, Buffer.alloc(64))), /meta page 0 gives a page size of 0/],
    ['a page size that is not a power of two', (p) => overwrite(p, 48, Buffer.from([0x00, 0x0c, 0, 0])), /page size of 3072/],
    ['the meta pages of two page sizes', (p) => overwrite(p, pageSize + 48, Buffer.from([0x00, 0x20, 0, 0])), /meta page 1: page size 8192, meta page 0 says 4096/],
    ['a txn id on the wrong meta page', (p) => overwrite(p, 152, u64(7n)), /meta page 0: txn 7 cannot be on meta page 0/],
    ['a root past the last page', (p) => [0, pageSize].forEach((at) => overwrite(p, at + 136, u64(1_000_000n))), /the main tree reaches page 1000000, past its last page/],
    ['garbage over every page after the meta pages', (p) => overwrite(p, 2 * pageSize, Buffer.alloc(statSync(p).size - 2 * pageSize, 0xab)), /its header names page|past its last page/],
  ];

  it.each(cases)('%s: the check names the damage', (_name, damage, expected) => {
    expect(lmdbLayoutProblem(good)).toBeUndefined();
    expect(lmdbLayoutProblem(damaged(_name.replace(/\W+/g, '-'), damage))).toMatch(expected);
  });

  it('is refused StoreOpenError corrupt, the process alive, where opened unchecked it kills it', () => {
    expect(openInChild(good).stdout).toMatch(/^open \d+$/);
    for (const [name, damage] of cases.filter(([n]) => /truncated to half|zeroed|garbage/.test(n))) {
      const child = openInChild(damaged(`child-${name.replace(/\W+/g, '-')}`, damage));
      expect({ name, ...child }).toMatchObject({ name, status: 0, signal: null, stdout: expect.stringMatching(/^refused corrupt: .*its LMDB structure is damaged/) as unknown });
    }
  }, 60_000);
});
