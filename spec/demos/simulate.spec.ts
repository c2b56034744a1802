import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runSimulateDemo } from '../../demos/simulate/run-simulate';

const root = join(__dirname, '..', '..');
const run = promisify(execFile);

describe('simulate demo', () => {
  it("draws a seed's timeline and notable events, then replays it to the same digests", async () => {
    const lines: string[] = [];
    expect(await runSimulateDemo({ seed: 13, width: 48, print: (line) => lines.push(line) })).toBe(true);
    expect(lines[0]).toMatch(/^Seed 13 in virtual time: 14 transactions \(8 shared\) over 3 epoch\(s\), \d+ accounts, concurrency \d+, \d+ fault\(s\) planned\.$/);
    expect(lines[1]).toMatch(/^Every invariant held: \d+ outcomes, \d+ events, [\d.]+ ms of virtual time\.$/);
    const row = (name: string) => lines.find((line) => line.startsWith(name.padEnd(11))) ?? '';
    // The process's lives: up, and starting again after its crashes; executions; the faults and the epoch changes.
    expect(row('process').slice(11)).toHaveLength(48);
    expect(row('process')).toMatch(/░+█+/); // down while the disk is full, then up again
    expect(row('executed')).toMatch(/[▁▂▃▄▅▆▇█]/);
    expect(row('faults')).toContain('D'); // the disk fills up, twice
    expect(row('faults')).toContain('E');
    expect(lines).toContain('Notable events:');
    // An operator restart after the full disk (seed 13 now also cancels sequenced certificates, and draws conflicting twins: 8 of its 14 are shared).
    expect(lines.some((line) => / {2}#\d+ crash \(operator restart after (freeing space|a failed commit|a failed write)\)$/.test(line))).toBe(true);
    expect(lines.some((line) => / {2}epoch 2 begins/.test(line))).toBe(true);
    const first = lines.find((line) => line.startsWith('  first run:'))?.slice('  first run:'.length);
    const replay = lines.find((line) => line.startsWith('  replay:'))?.slice('  replay:'.length);
    expect(first).toMatch(/^ {2}trace [0-9a-f]{64} {2}final state [0-9a-f]{64}$/);
    expect(replay?.trim()).toBe(first?.trim());
    expect(lines.at(-1)).toBe('The run is over: the replay was the same run, byte for byte.');
  }, 60_000);

  it('npm run simulate -- --seed N: runs the seed and prints its digests; a wrong command line is one line and exit 2', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'demos/simulate/replay.ts', '--seed', '13'], { cwd: root });
    const [summary, trace, state] = stdout.trimEnd().split('\n');
    expect(summary).toMatch(/^seed 13: every invariant held\. 14 transactions over 3 epoch\(s\), \d+ fault\(s\), \d+ outcomes, \d+ events, [\d.]+ ms of virtual time$/);
    expect(trace).toMatch(/^trace [0-9a-f]{64}$/);
    expect(state).toMatch(/^final state [0-9a-f]{64}$/);
    const wrong = await run(process.execPath, ['--import', 'tsx', 'demos/simulate/replay.ts', '--faults', '1'], { cwd: root }).catch((error: unknown) => error as { code: number; stderr: string });
    expect(wrong).toMatchObject({ code: 2, stderr: 'npm run simulate: --seed N is required (see npm run simulate -- --help)\n' });
  }, 60_000);
});
