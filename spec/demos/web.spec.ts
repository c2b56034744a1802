import { statSync } from 'node:fs';
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
    dashboard = await startWebDashboard({ ratePerSecond: 1_000 });
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

  it('rejects a port that is taken, and leaves nothing running', async () => {
    const port = Number(new URL(dashboard.url).port);
    await expect(startWebDashboard({ port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
