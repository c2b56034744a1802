import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { type WebDashboard, startWebDashboard } from '../../demos/web/server';

// Debian's chromium, as installed by .ci/run; a real browser, no mock.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('browser dashboard in headless Chromium', () => {
  let dashboard: WebDashboard;
  let browser: Browser;

  beforeAll(async () => {
    dashboard = await startWebDashboard({ ratePerSecond: 1_000, committeeSize: 10 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  }, 60_000);

  afterAll(async () => {
    await browser.close();
    await dashboard.close();
  });

  it('loads, charts live snapshots, and a control button changes what it shows', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(dashboard.url);
    await page.waitForSelector('#controls button[data-key="+"]');
    // uPlot draws each chart on a canvas; the points grow as Server-Sent Events arrive.
    expect(await page.locator('.chart canvas').count()).toBeGreaterThanOrEqual(3);
    // (Page-side conditions are strings: they run in the browser, not under Node's types.)
    await page.waitForFunction('window.dashboard.points() >= 4', undefined, { timeout: 20_000 });
    await page.waitForFunction("Number(document.getElementById('executed').textContent.replace(/,/g, '')) > 0");
    expect(await page.textContent('#limit')).toBe('16');
    expect(await page.textContent('#committee')).toBe('10 validators, quorum 7');
    expect(await page.getAttribute('#metrics', 'href')).toBe(dashboard.metrics.url);

    await page.click('#controls button[data-key="+"]');
    await page.waitForFunction("document.getElementById('limit').textContent === '32'", undefined, { timeout: 10_000 });
    expect(dashboard.simulation.pipeline.driver.maxConcurrentExecutions).toBe(32);

    await page.click('#controls button[data-key="p"]');
    await page.waitForFunction("document.getElementById('paused').textContent === 'PAUSED'", undefined, { timeout: 10_000 });
    await page.click('#controls button[data-key="p"]');
    await page.waitForFunction("document.getElementById('paused').textContent === ''", undefined, { timeout: 10_000 });

    const screenshot = join(tmpdir(), `dashboard-${process.pid}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(20_000);
  }, 60_000);

  it('charts a minute of time from the first point, counts from zero, and the backlog on its own scale', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(dashboard.url);
    await page.waitForFunction('window.dashboard.points() >= 1', undefined, { timeout: 20_000 });
    type Chart = { title: string; scales: Record<string, { min: number; max: number }>; series: { label: string; scale: string }[] };
    const charts = await page.evaluate<Chart[]>('window.dashboard.charts()');
    expect(charts.map((c) => c.title)).toEqual(['Throughput (executed / s)', 'Execution latency (ms)', 'In flight and limit (left) · backlog (right)']);
    for (const chart of charts) {
      const x = chart.scales.x as { min: number; max: number };
      expect(x.max - x.min).toBe(60);
      expect(Math.abs(x.max - Date.now() / 1000)).toBeLessThan(30); // seconds since the epoch, not a few milliseconds
      expect(chart.scales.y?.min).toBe(0);
    }
    const load = charts[2] as Chart;
    expect(load.series).toEqual([
      { label: 'in flight', scale: 'y' },
      { label: 'limit', scale: 'y' },
      { label: 'backlog', scale: 'backlog' },
    ]);
    expect(load.scales.backlog?.min).toBe(0);
    await page.close();
  }, 60_000);

  it('greys the controls out once the run is stopped, and the server refuses them', async () => {
    const page = await browser.newPage();
    await page.goto(dashboard.url);
    await page.waitForSelector('#controls button[data-key="s"]');
    await page.waitForFunction('window.dashboard.ticks() >= 1', undefined, { timeout: 20_000 });
    await page.click('#controls button[data-key="s"]');
    await page.waitForFunction("document.querySelector('#controls button[data-key=\"+\"]').disabled", undefined, { timeout: 20_000 });
    const response = await fetch(new URL('/control/%2B', dashboard.url), { method: 'POST' });
    expect(response.status).toBe(409);
    expect(dashboard.simulation.pipeline.driver.maxConcurrentExecutions).toBe(32);
    await page.close();
  }, 60_000);

  it('rejects a port that is taken, and leaves nothing running', async () => {
    const port = Number(new URL(dashboard.url).port);
    await expect(startWebDashboard({ port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('browser dashboard, durable (--db)', () => {
  it('shows the store: its size on disk, last commit index and pending certificates, as they move', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'soma-web-db-'));
    const dashboard = await startWebDashboard({ ratePerSecond: 1_000, maxConcurrentExecutions: 64, database: join(folder, 'demo.mdb') });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      await page.goto(dashboard.url);
      await page.waitForFunction("/^LMDB [\\d.]+ MiB · commit [\\d,]+ · pending [\\d,]+$/.test(document.getElementById('store').textContent)", undefined, { timeout: 20_000 });
      const commit = async () => Number((/commit ([\d,]+)/.exec((await page.textContent('#store')) ?? '')?.[1] ?? '').replace(/,/g, ''));
      const first = await commit();
      await page.waitForFunction(`Number(/commit ([\\d,]+)/.exec(document.getElementById('store').textContent)[1].replace(/,/g, '')) > ${first}`, undefined, { timeout: 20_000 });
      expect(await page.getAttribute('#store', 'title')).toBe(join(folder, 'demo.mdb'));
      expect(await page.textContent('#dials')).toContain('no injected failures (durable)');
      await page.close();
    } finally {
      await browser.close();
      await dashboard.close();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('browser dashboard, verifying signatures (--verify --committee 100)', () => {
  it('shows verification throughput and how busy the pool is, as they move; off, it says so', async () => {
    const dashboard = await startWebDashboard({ ratePerSecond: 300, committeeSize: 100, verifySignatures: true, verifierWorkers: 2 });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      await page.goto(dashboard.url);
      await page.waitForFunction("document.getElementById('committee').textContent === '100 validators, quorum 67'", undefined, { timeout: 20_000 });
      // verified / s · busy share: both above zero once certificates flow.
      await page.waitForFunction("/^[1-9][\\d,]* · [1-9]\\d* %$/.test(document.getElementById('verification').textContent)", undefined, { timeout: 30_000 });
      expect(await page.textContent('#verifier-pool')).toMatch(/^2 workers · [\d,]+ · [\d,]+ · [\d,]+ · 0 · 0$/);
      await page.close();
    } finally {
      await browser.close();
      await dashboard.close();
    }
    const off = await startWebDashboard({ ratePerSecond: 1 });
    const offBrowser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await offBrowser.newPage();
      await page.goto(off.url);
      await page.waitForFunction("document.getElementById('verification').textContent === 'off'", undefined, { timeout: 20_000 });
      expect(await page.textContent('#verifier-pool')).toContain('pre-verified');
    } finally {
      await offBrowser.close();
      await off.close();
    }
  }, 90_000);
});
