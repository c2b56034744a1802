import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const session = `scenario-test-${process.pid}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`never: ${what}`);
}

const alive = () => spawnSync('tmux', ['has-session', '-t', session]).status === 0;

describe('how a scenario demo ends', () => {
  afterAll(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
  });

  it('piped (CI): says the run is over and its metrics server closed, and exits 0', async () => {
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'demos/ordering/main.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', reject);
      child.on('close', (exit) => resolve({ code: exit, out: text }));
    });
    expect(out.trimEnd().split('\n').at(-1)).toBe('The run is over; its metrics server is closed.');
    expect(code).toBe(0);
  }, 30_000);

  it('in a terminal: keeps its metrics served after the run until Ctrl-C', async () => {
    tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '50', '-c', root, `${process.execPath} --import tsx demos/ordering/main.ts`);
    const url = await waitFor(() => /The run is over\. Its metrics stay at (http:\/\/\S+) until Ctrl-C\./.exec(tmux('capture-pane', '-p', '-J', '-t', session))?.[1], 'the run-over line');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // well past the run
    expect(alive()).toBe(true);
    const metrics = await (await fetch(url)).text();
    expect(metrics).toMatch(/^execution_driver_executed_total 7$/m);
    tmux('send-keys', '-t', session, 'C-c');
    await waitFor(() => (alive() ? undefined : true), 'the demo exiting on Ctrl-C', 10_000);
  }, 60_000);
});
