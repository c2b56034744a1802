import { runOrdering } from '../../demos/ordering/run-ordering';

async function run(concurrency: number): Promise<string[]> {
  const lines: string[] = [];
  await runOrdering({ concurrency, print: (line) => lines.push(line) });
  return lines;
}

describe('ordering demo', () => {
  it('draws one timeline row per certificate and the outcomes as a marble', async () => {
    const lines = await run(3);
    expect(lines[0]).toMatch(/^metrics: http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(lines[1]).toBe('Ordering under concurrency 3: 8 certificates ready at frame 0, in virtual time (1 column = 1 frame)');
    const rows = lines.filter((line) => /^ {2}[a-h] {2}/.test(line));
    expect(rows).toHaveLength(8);
    // a (8 frames) starts at once and finishes at 8; quick b frees its slot at 2 for d, whose first attempt fails.
    expect(rows[0]).toMatch(/^ {2}a {2}█{8}✓ +executed:a$/);
    expect(rows[3]).toMatch(/^ {2}d {4}█!███✓ +executed:d$/);
    expect(rows[6]).toMatch(/✗ +failed:g:execution-error$/);
    expect(lines).toContain('Outcomes as a marble: --b-ce-da-(gh)f|');
    expect(lines).toContain('Metrics: execution_driver_executed_total 7, execution_driver_errors_total{reason="execution-error"} 1, execution_driver_retries_total 1');
  });

  it('under concurrency 1, finishes in ready order, one at a time', async () => {
    const lines = await run(1);
    expect(lines).toContain('Finish order: a b c d e f g h  (ready order: a b c d e f g h)');
    // No two certificates ever execute in the same column.
    const rows = lines.filter((line) => /^ {2}[a-h] {2}/.test(line)).map((line) => line.slice(5));
    const width = Math.max(...rows.map((row) => row.length));
    for (let column = 0; column < width; column++) {
      expect(rows.filter((row) => row[column] === '█').length).toBeLessThanOrEqual(1);
    }
  });
});
