import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
let sessions = 0;
const opened: string[] = [];

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}

/** Start the dashboard in a fresh tmux session of `columns`×`rows`; its name. */
function startDashboard(columns: number, rows: number, args = ''): string {
  const session = `dashboard-test-${process.pid}-${++sessions}`;
  opened.push(session);
  // With CI set, as in CI: a terminal is still drawn live.
  tmux('new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), '-c', root, `env CI=true ${process.execPath} --import tsx demos/dashboard/main.ts ${args}`);
  return session;
}

function screen(session: string, join = true): string {
  return tmux('capture-pane', '-p', ...(join ? ['-J'] : []), '-t', session); // -J: wrapped lines joined
}

/** Wait until the screen matches `pattern`; fail with what it shows otherwise. */
async function waitForScreen(session: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let shown = '';
  while (Date.now() < deadline) {
    shown = screen(session);
    if (pattern.test(shown)) return shown;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`screen never matched ${String(pattern)}; it shows:\n${shown}`);
}

/** Send `text` to the terminal in one write, as fast typing or a paste delivers it. */
function type(session: string, text: string): void {
  tmux('send-keys', '-t', session, '-l', text);
}

async function quitAndWait(session: string): Promise<void> {
  type(session, 'q');
  const deadline = Date.now() + 15_000;
  while (spawnSync('tmux', ['has-session', '-t', session]).status === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(spawnSync('tmux', ['has-session', '-t', session]).status).not.toBe(0);
}

const LABELS = ['Status', 'Throughput', 'In flight', 'Latency', 'Executed', 'Skipped', 'Failed', 'Manager', 'Refused', 'Why', 'Handed back', 'Deduped', 'Committee', 'Dials', 'Store'];

/** The frame at 80×24 as drawn, unjoined: title on top, one line per row, values in one column. */
function expectFitsTheScreen(shown: string): void {
  const lines = shown.split('\n');
  expect(lines[0]).toBe(' soma-execution-driver · live validator pipeline');
  expect(lines[1]).toMatch(/^ metrics http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  const rows = lines.slice(2, 2 + LABELS.length);
  expect(rows.map((row) => row.slice(0, 13).trimEnd())).toEqual(LABELS.map((label) => ` ${label}`));
  for (const row of rows) expect(row[13]).not.toBe(' '); // every value starts in column 13
  expect(lines.filter((l) => l.startsWith(' Keys: ')).length).toBe(1);
  expect(lines.every((l) => l.length <= 80)).toBe(true); // every character drawn is one UTF-16 unit
}

describe('dashboard demo in a real terminal (tmux)', () => {
  afterAll(() => {
    for (const session of opened) spawnSync('tmux', ['kill-session', '-t', session]);
  });

  it('draws the dashboard, and keys change what it shows', async () => {
    const session = startDashboard(180, 40, '--rate 1000');
    const first = await waitForScreen(session, /In flight\s+\d+ \/ limit 16/);
    expect(first).toMatch(/metrics http:\/\/127\.0\.0\.1:\d+\/metrics/);
    expect(first).toMatch(/Keys: \+\/- concurrency · f\/F failures · t\/T transient · c\/C contention · b burst · d duplicates · e epoch · p pause · s\/a drain\/abort-stop · q quit/);
    // The same dials as the run without a terminal, shown.
    expect(first).toMatch(/Dials\s+rate 1,000\/s · contention 10 % · failures 1 % · transient 5 %/);
    expect(first).toMatch(/Store\s+in memory/);

    type(session, '+');
    await waitForScreen(session, /limit 32/);
    await waitForScreen(session, /concurrency limit 32/); // and the event line says so

    type(session, 'p');
    await waitForScreen(session, /Status\s+PAUSED/);
    type(session, 'p');
    await waitForScreen(session, /Status\s+running/);

    type(session, 'c');
    await waitForScreen(session, /contention 20 %/);

    type(session, 'e');
    await waitForScreen(session, /epoch 1: \d+ certificates of epoch 0 refused/);
    await waitForScreen(session, /Status\s+running\s+epoch 1 /);

    type(session, 's');
    await waitForScreen(session, /stopped \(drain\): [\d,]+ received certificates handed back unstarted/);
    expect(screen(session)).toMatch(/Status\s+stopped \(drain\)/);

    await quitAndWait(session);
  }, 90_000);

  it('takes every key of a chunk typed at once', async () => {
    const session = startDashboard(120, 40, '--rate 500');
    await waitForScreen(session, /In flight\s+\d+ \/ limit 16/);
    type(session, '+tf');
    const shown = await waitForScreen(session, /failures 6 % · transient 10 %/, 10_000);
    expect(shown).toMatch(/limit 32/);
    await quitAndWait(session);
  }, 60_000);

  it('fits 80×24, says the run is over after a drain-stop, and then ignores the dials', async () => {
    const session = startDashboard(80, 24, '--rate 500');
    expectFitsTheScreen(await waitForScreen(session, /In flight\s+\d+ \/ limit 16/));
    // More events than there is room for, and long refusal lines.
    type(session, 'cCcCcCb');
    await waitForScreen(session, /Refused\s+\S+ [1-9]/);
    expectFitsTheScreen(screen(session, false));

    type(session, 's');
    const stopped = await waitForScreen(session, /Status\s+stopped \(drain\)/);
    expect(stopped).toMatch(/Keys: the run is over · q quit/);
    expectFitsTheScreen(screen(session, false));
    type(session, '+pf');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const after = screen(session);
    expect(after).toMatch(/In flight\s+\d+ \/ limit 16 /);
    expect(after).toMatch(/Status\s+stopped \(drain\)/);
    expect(after).toMatch(/failures 1 %/);
    expect(after).not.toMatch(/PAUSED|concurrency limit 32/);
    await quitAndWait(session);
  }, 90_000);

  it('runs durable with --db: the store row shows the database growing and its last commit index', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'soma-demo-db-'));
    try {
      const session = startDashboard(180, 40, `--rate 1000 --db ${join(folder, 'demo.mdb')}`);
      const first = await waitForScreen(session, /Store\s+LMDB [\d.]+ MiB on disk · last commit [\d,]+ · pending [\d,]+ · /);
      expect(first).toMatch(/no injected failures \(durable\)/);
      const size = (shown: string) => Number(/LMDB ([\d.]+) MiB/.exec(shown)?.[1]);
      const commit = (shown: string) => Number(/last commit ([\d,]+)/.exec(shown)?.[1]?.replace(/,/g, ''));
      let later = first;
      for (const deadline = Date.now() + 20_000; commit(later) <= commit(first) && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        later = screen(session);
      }
      expect(commit(later)).toBeGreaterThan(commit(first));
      expect(size(later)).toBeGreaterThanOrEqual(size(first));
      type(session, 'f');
      await waitForScreen(session, /no injected store failures when durable/);
      await quitAndWait(session);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 90_000);

  it('with --verify --committee 100: the Committee row shows certificates verified per second and the pool busy; off by default', async () => {
    const session = startDashboard(200, 40, '--verify --committee 100 --workers 2 --rate 300');
    const shown = await waitForScreen(session, /Committee\s+100 validators, quorum 67 · verified [1-9][\d,]*\/s · pool 2 workers [1-9]\d* % busy · batches queued [\d,]+, in flight [\d,]+ · pending [\d,]+ · duplicates [\d,]+ · refused 0 · crashes 0/, 45_000);
    expect(shown).toMatch(/Status\s+running/);
    await quitAndWait(session);
    const off = startDashboard(180, 40, '--rate 100');
    await waitForScreen(off, /Committee\s+4 validators, quorum 3 · BLS certificates, pre-verified \(--verify: on the worker pool\)/);
    await quitAndWait(off);
  }, 90_000);
});
