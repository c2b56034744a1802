import { DEFAULT_DEMO, runDemo } from '../../demos/basic/run-demo';

describe('basic demo', () => {
  it('streams one line per outcome, then the summary and the metrics', async () => {
    const lines: string[] = [];
    const summary = await runDemo({ ...DEFAULT_DEMO, certificates: 40, maxLatencyMs: 2, print: (line) => lines.push(line) });
    const outcomeLines = lines.filter((line) => /^\s+\d+ ms {2}(EXECUTED|SKIPPED|FAILED|FATAL)/.test(line));
    const skipped = Object.values(summary.skipped).reduce((a, b) => a + b, 0);
    expect(outcomeLines).toHaveLength(summary.executed + summary.failed + skipped);
    expect(summary.executed + summary.failed + skipped).toBe(40);
    expect(summary.failed).toBeGreaterThan(0);
    expect(summary.retries).toBeGreaterThan(0);
    expect(lines.some((line) => line.startsWith('Drained in'))).toBe(true);
    expect(lines[0]).toMatch(/^metrics: http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(lines).toContain(`  execution_driver_executed_total ${summary.executed}`);
  });
});
