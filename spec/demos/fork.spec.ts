import { ForkDetectedError } from '../../lib';
import { runFork } from '../../demos/fork/run-fork';

describe('fork demo', () => {
  it('halts on the fork: in-flight work finishes, the waiting certificate is handed back, done rejects', async () => {
    const lines: string[] = [];
    const { outcomes, error } = await runFork((line) => lines.push(line));
    expect(outcomes.map((o) => `${o.kind}:${o.digest}`)).toEqual(['executed:a', 'executed:b', 'fatal:c', 'executed:d']);
    expect(error).toBeInstanceOf(ForkDetectedError);
    expect(lines).toContain("frame  4  fatal:c       <- effects differ from the network's: fork, halting");
    expect(lines).toContain('  certificate c: expected effects fx-c, executed forked-c');
    expect(lines).toContain('  summary: executed 3, fatal 1; handed back unstarted: e');
    expect(lines[0]).toMatch(/^metrics: http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(lines).toContain('Metrics: execution_driver_errors_total{reason="fork"} 1');
  });
});
