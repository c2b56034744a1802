import { runCrashDemo } from '../../demos/crash/run-crash';

describe('crash demo', () => {
  it('kills the durable pipeline mid-run, restarts it, says what was recovered, and shows the final state is right', async () => {
    const lines: string[] = [];
    const report = await runCrashDemo({ transactions: 200, kills: 1, seed: 7, print: (line) => lines.push(line) });
    expect(report.violations).toEqual([]);
    expect(lines[0]).toBe('Crash demo: the durable pipeline in a child process, on a temporary LMDB database; 200 transactions (seed 7),');
    expect(lines).toContain('Life 1: starts on an empty database');
    // The kill, with what clients and consensus had been told by then.
    const killed = lines.map((line) => /^ {2}killed with SIGKILL .*: the clients had seen (\d+) transactions executed, consensus commit (\d+) acknowledged$/.exec(line)).find(Boolean);
    expect(killed).toBeDefined();
    const acknowledgedCommit = Number(killed?.[2]);
    expect(lines.filter((line) => line.startsWith('  the database holds everything acknowledged'))).toHaveLength(2);
    // The restart: what it recovered, at or past the last commit acknowledged.
    expect(lines.some((line) => /^Life 2: restarted\. Clients resubmit the \d+ owned certificates they have not seen executed; consensus redelivers from commit \d+$/.test(line))).toBe(true);
    const recovered = lines.map((line) => /^ {2}recovered in \d+ ms: (\d+) certificates re-enqueued/.exec(line)).find(Boolean);
    expect(Number(recovered?.[1])).toBe(report.recoveries[1]?.reenqueued);
    const lastIndex = lines.map((line) => /last consensus commit index (\d+)$/.exec(line)).find(Boolean);
    expect(Number(lastIndex?.[1])).toBeGreaterThanOrEqual(acknowledgedCommit);
    const seen = lines.map((line) => /^ {2}ran to the end: all 200 transactions executed; the clients saw (\d+) executions reported$/.exec(line)).find(Boolean);
    expect(Number(seen?.[1])).toBeGreaterThan(0);
    expect(Number(seen?.[1])).toBeLessThanOrEqual(200);
    // The final checks, each holding.
    const checks = lines.filter((line) => /^ {2}(yes|NO ) {2}/.test(line));
    expect(checks).toHaveLength(4);
    expect(checks.every((line) => line.startsWith('  yes  '))).toBe(true);
    expect(checks[0]).toMatch(/^ {2}yes {2}the \d+ live objects equal expectedFinalObjects, object digest for object digest$/);
    expect(lines.at(-1)).toMatch(/^Nothing lost, nothing executed twice: 1 kill, 2 lives, \d+\.\d s\.$/);
  }, 60_000);
});
