import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const session = `dashboard-test-${process.pid}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

function screen(): string {
  return tmux('capture-pane', '-p', '-J', '-t', session); // -J: wrapped lines joined
}

/** Wait until the screen matches `pattern`; fail with what it shows otherwise. */
async function waitForScreen(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let shown = '';
  while (Date.now() < deadline) {
    shown = screen();
    if (pattern.test(shown)) return shown;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`screen never matched ${String(pattern)}; it shows:\n${shown}`);
}

describe('dashboard demo in a real terminal (tmux)', () => {
  afterAll(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
  });

  it('draws the dashboard, and keys change what it shows', async () => {
    // With CI set, as in CI: a terminal is still drawn live.
    tmux('new-session', '-d', '-s', session, '-x', '180', '-y', '40', '-c', root, `env CI=true ${process.execPath} --import tsx demos/dashboard/main.ts --rate 1000`);
    const first = await waitForScreen(/In flight\s+\d+ \/ limit 16/);
    expect(first).toMatch(/metrics http:\/\/127\.0\.0\.1:\d+\/metrics/);
    // The help line (Ink wraps it to the terminal's width).
    expect(first).toMatch(/Keys: \+ concurrency ×2 · - concurrency ÷2 · f failures/);
    expect(first).toMatch(/e epoch change · p pause\/resume · s drain-stop · a abort-stop · q quit/);

    tmux('send-keys', '-t', session, '+');
    await waitForScreen(/limit 32/);
    await waitForScreen(/concurrency limit 32/); // and the event line says so

    tmux('send-keys', '-t', session, 'p');
    await waitForScreen(/PAUSED/);
    tmux('send-keys', '-t', session, 'p');
    await waitForScreen(/limit 32 .*running/);

    tmux('send-keys', '-t', session, 'c');
    await waitForScreen(/contention 20 %/);

    tmux('send-keys', '-t', session, 'e');
    await waitForScreen(/epoch 1: \d+ certificates of epoch 0 refused/);
    expect(screen()).toMatch(/Epoch\s+1 /);

    tmux('send-keys', '-t', session, 's');
    await waitForScreen(/stopped \(drain\): [\d,]+ received certificates handed back unstarted/);
    expect(screen()).toMatch(/feed stopped/);

    tmux('send-keys', '-t', session, 'q');
    const deadline = Date.now() + 15_000;
    while (spawnSync('tmux', ['has-session', '-t', session]).status === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(spawnSync('tmux', ['has-session', '-t', session]).status).not.toBe(0);
  }, 90_000);
});
