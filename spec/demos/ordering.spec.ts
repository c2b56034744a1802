import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ORDERING_SCRIPTS, marbleOf, runOrdering } from '../../demos/ordering/run-ordering';
import { ExecutionDriver } from '../../lib';
import { certificates, marbleAuthorityState } from '../../lib/testing';
import { silentLogger } from '../support/silent-logger';

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
    expect(lines).toContain('Outcomes as a marble: --b-ce-da-gf(h|)');
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

  // The demo prints a marble to copy into a test: it must be what TestScheduler expects, or say there is none.
  it.each([1, 2, 3, 4, 8])('prints, under concurrency %i, a marble that passes expectObservable as written (or says none can)', async (concurrency) => {
    const lines = await run(concurrency);
    const printed = lines.find((line) => line.startsWith('Outcomes as a marble: '))?.slice('Outcomes as a marble: '.length);
    const byFrame = lines.find((line) => line.startsWith('Outcomes by frame: '));
    expect(byFrame).toBeDefined();
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    let frames: { frame: number; value: string }[] = [];
    let completedAt = Number.NaN;
    scheduler.run(({ cold, hot, expectObservable }) => {
      const handle = new ExecutionDriver({
        readyCertificates: hot('(abcdefgh|)', certificates('abcdefgh')),
        authorityState: marbleAuthorityState(cold, ORDERING_SCRIPTS, { scheduler }),
        maxConcurrentExecutions: concurrency,
        retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1 },
        scheduler,
        logger: silentLogger,
      }).spawn();
      const digests = handle.outcomes$.pipe(map((o) => o.digest));
      digests.subscribe({ next: (value) => frames.push({ frame: scheduler.now(), value }), complete: () => (completedAt = scheduler.now()) });
      if (printed?.startsWith('none')) frames = [];
      else expectObservable(digests).toBe(printed ?? '');
    });
    expect(byFrame).toBe(`Outcomes by frame: ${frames.map((e) => `${e.value}@${e.frame}`).join(' ')}, complete@${completedAt}`);
  });
});

describe('marbleOf', () => {
  it('writes groups as TestScheduler reads them: a group takes as many frames as it has characters', () => {
    expect(marbleOf([{ frame: 2, value: 'a' }], 3)).toBe('--a|');
    expect(marbleOf([{ frame: 1, value: 'a' }, { frame: 1, value: 'b' }, { frame: 5, value: 'c' }], 5)).toBe('-(ab)(c|)');
    // c is due at frame 3, while (ab) stands for frames 1 to 4: no marble says that.
    expect(marbleOf([{ frame: 1, value: 'a' }, { frame: 1, value: 'b' }, { frame: 3, value: 'c' }], 3)).toBeUndefined();
  });
});
