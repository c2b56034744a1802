import { runOverload } from '../../demos/overload/run-overload';

describe('overload demo', () => {
  it('refuses a burst past the admission limit, then recovers: every transaction commits', async () => {
    const lines: string[] = [];
    const result = await runOverload({ burst: 6_000, maxPendingAndExecuting: 1_500, print: (line) => lines.push(line) });
    expect(result.refused).toBeGreaterThan(0);
    expect(result.committed).toBe(result.total);
    expect(lines[0]).toMatch(/^metrics: http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(lines).toContain('  -- burst: 6,000 transactions submitted at once');
    expect(lines.filter((line) => /^\s+\d+\.\d\ds\s+[\d,]+\s+[\d,]+\s+[\d,]+ · [\d,]+ · [\d,]+\s+[\d,]+$/.test(line)).length).toBeGreaterThan(3);
    expect(lines.join('\n')).toMatch(/^Recovered: 8,000 of 8,000 transactions committed in [\d.]+ s, each exactly once\.$/m);
    // Which limit refuses first depends on the machine's speed (a slow one ages queues first): any, named.
    expect(lines.join('\n')).toMatch(
      /^[1-9][\d,]* submission calls were refused \(OverloadedError, by limit: pending-and-executing [\d,]+, per-object-queue [\d,]+, queue-age [\d,]+, past-limit [\d,]+\)/m,
    );
    expect(lines.join('\n')).toMatch(
      /^[\d,]+ certificates accepted \(resubmissions included\); [\d,]+ handed back waiting for coins not created yet \(.*\), [\d,]+ admitted past the limits and handed back/m,
    );
    expect(result.accepted).toBeGreaterThanOrEqual(result.total);
    // About 12 s here; a stall guard, not a timing claim: a fully loaded CI machine once took over 60 s.
  }, 180_000);

  it('transfers only: the same recovery, and nothing waits for a coin not created yet', async () => {
    const result = await runOverload({ burst: 4_000, maxPendingAndExecuting: 1_000, mergeReceivedCoins: null, print: () => undefined });
    expect(result.refused).toBeGreaterThan(0);
    expect(result.committed).toBe(result.total);
    expect(result.handedBack).toBe(0);
  }, 60_000);
});
