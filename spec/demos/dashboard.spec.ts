import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbObjectStore } from '../../lib/validator/storage/lmdb-object-store';

const root = join(__dirname, '..', '..');

/** Run the dashboard with pipes (no terminal), as CI does; collect its output. */
function runPiped(args: string[]): Promise<{ code: number | null; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'demos/dashboard/main.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, lines: out.split('\n') }));
  });
}

describe('dashboard demo without a terminal', () => {
  it('runs a fixed workload, prints progress every second and a summary, and exits 0', async () => {
    const { code, lines } = await runPiped(['--transactions', '6000', '--rate', '3000']);
    expect(lines.join('\n')).toMatch(/^metrics: http:\/\/127\.0\.0\.1:\d+\/metrics$/m);
    const progress = lines.filter((line) => /^\[\s*\d+s\] committed [\d,]+\/[\d,]+ · /.test(line));
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(lines.join('\n')).toMatch(/^Finished in [\d.]+ s: 6,000 of 6,000 transactions committed, 0 unstarted$/m);
    // Each transaction executed exactly once, failed attempts and resubmissions included.
    expect(lines.some((line) => /^\s+Executed\s+6,000 /.test(line))).toBe(true);
    expect(code).toBe(0);
  }, 60_000);

  it('with --verify --committee 100: every certificate verified on the worker pool, its rate and busy share in the progress and the summary', async () => {
    const { code, lines } = await runPiped(['--verify', '--committee', '100', '--workers', '2', '--transactions', '800', '--rate', '400']);
    const text = lines.join('\n');
    expect(text).toMatch(/^Finished in [\d.]+ s: 800 of 800 transactions committed, 0 unstarted$/m);
    expect(text).toMatch(/^\[\s*\d+s\] committed .* · verified [1-9][\d,]*\/s, pool [1-9]\d* % busy$/m);
    expect(text).toMatch(/^ {2}Committee +100 validators, quorum 67 · verified [\d,]+\/s · pool 0 workers \d+ % busy · .* · refused 0 · crashes 0$/m);
    expect(code).toBe(0);
  }, 90_000);

  it('runs durable with --db: every transaction on disk, the store row with the database, and a used database refused', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'soma-demo-db-'));
    const path = join(folder, 'demo.mdb');
    try {
      const { code, lines } = await runPiped(['--transactions', '3000', '--rate', '3000', '--concurrency', '64', '--db', path]);
      const text = lines.join('\n');
      expect(text).toMatch(/^Finished in [\d.]+ s: 3,000 of 3,000 transactions committed, 0 unstarted$/m);
      expect(text).toMatch(/^\[\s*\d+s\] committed .* · db [\d.]+ MiB, last commit [\d,]+$/m);
      const row = /^ {2}Store +LMDB ([\d.]+) MiB on disk · last commit ([\d,]+) · pending 0 · (.+)$/m.exec(text);
      expect(row?.[3]).toBe(path);
      expect(code).toBe(0);
      const store = LmdbObjectStore.open({ path });
      expect(store.executedCount()).toBe(3_001); // genesis and every transaction, once
      expect(store.epochTables.lastCommitIndex()).toBe(Number(row?.[2]?.replace(/,/g, '')));
      expect(Number(row?.[1])).toBeCloseTo(statSync(path).size / 1024 ** 2, 1);
      await store.close();
      const again = await runPiped(['--transactions', '10', '--db', path]);
      expect(again.lines.join('\n')).toContain(`npm run demo: the database at ${path} already holds a run: give a path that does not exist yet`);
      expect(again.code).toBe(2);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 90_000);
});
