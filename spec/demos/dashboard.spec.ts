import { spawn } from 'node:child_process';
import { join } from 'node:path';

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
});
