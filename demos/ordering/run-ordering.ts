import { TestScheduler } from 'rxjs/testing';
import winston from 'winston';
import { ExecutionDriver, ExecutionDriverMetrics, type ExecutionOutcome, serveMetrics } from '../../lib';
import { type ExecutionScript, brief, certificates, marbleAuthorityState } from '../../lib/testing';
import { type ScenarioEnd, endScenario } from '../shared/scenario';

/** The certificates of the ordering demo, by letter: how long each executes, and how. */
export const ORDERING_SCRIPTS: Readonly<Record<string, ExecutionScript>> = {
  a: '--------r', // slow
  b: '--r',
  c: '----r',
  d: ['-!', '---r'], // a transient failure, then success on the retry
  e: '-r',
  f: '------r',
  g: '---#', // fails for good
  h: '--r',
};

/**
 * Run eight certificates through the real driver in virtual time and draw
 * which started and finished when: a Gantt chart, one row per certificate,
 * one column per frame, and the outcome stream as a marble.
 */
export async function runOrdering(options: { concurrency: number; print: (line: string) => void } & ScenarioEnd): Promise<ExecutionOutcome[]> {
  const { print } = options;
  const metrics = new ExecutionDriverMetrics();
  const server = await serveMetrics({ registry: metrics.registry });
  print(`metrics: ${server.url}`);
  const outcomes: { frame: number; outcome: ExecutionOutcome }[] = [];
  let starts: readonly { digest: string; attempt: number; frame: number }[] = [];
  const scheduler = new TestScheduler(() => undefined);
  scheduler.run(({ cold, hot }) => {
    const state = marbleAuthorityState(cold, ORDERING_SCRIPTS, { scheduler });
    starts = state.starts;
    const letters = Object.keys(ORDERING_SCRIPTS).join('');
    const handle = new ExecutionDriver({
      readyCertificates: hot(`(${letters}|)`, certificates(letters)),
      authorityState: state,
      maxConcurrentExecutions: options.concurrency,
      retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1 },
      scheduler,
      metrics,
      logger: winston.createLogger({ silent: true }),
    }).spawn();
    handle.outcomes$.subscribe((outcome) => outcomes.push({ frame: scheduler.now(), outcome }));
  });

  const end = Math.max(...outcomes.map((o) => o.frame)) + 1;
  print(`Ordering under concurrency ${options.concurrency}: 8 certificates ready at frame 0, in virtual time (1 column = 1 frame)`);
  print('');
  print(`     ${Array.from({ length: end }, (_, i) => String(i % 10)).join('')}`);
  for (const digest of Object.keys(ORDERING_SCRIPTS)) {
    const row = Array.from({ length: end }, () => ' ');
    const done = outcomes.find((o) => o.outcome.digest === digest);
    for (const start of starts.filter((s) => s.digest === digest)) {
      const next = starts.find((s) => s.digest === digest && s.attempt === start.attempt + 1);
      const stop = next ? next.frame - 1 : (done?.frame ?? end);
      for (let frame = start.frame; frame < stop; frame++) row[frame] = '█';
      if (next) row[stop] = '!'; // this attempt failed transiently; the retry waits out its backoff
    }
    if (done) row[done.frame] = symbol(done.outcome);
    print(`  ${digest}  ${row.join('')}  ${brief(done?.outcome as ExecutionOutcome)}`);
  }
  print('');
  print('  █ executing   ! transient failure, retried   ✓ executed   ✗ failed');
  print('');
  const marble = Array.from({ length: end }, (_, frame) => {
    const at = outcomes.filter((o) => o.frame === frame).map((o) => o.outcome.digest);
    return at.length === 0 ? '-' : at.length === 1 ? at[0] : `(${at.join('')})`;
  }).join('');
  print(`Outcomes as a marble: ${marble}|`);
  const order = outcomes.map((o) => o.outcome.digest).join(' ');
  print(`Finish order: ${order}  (ready order: ${Object.keys(ORDERING_SCRIPTS).join(' ')})`);
  const counters = (await metrics.registry.metrics()).split('\n').filter((line) => /^execution_driver_(executed|retries|errors)_total/.test(line) && !line.endsWith(' 0'));
  print(`Metrics: ${counters.join(', ')}`);
  await endScenario(server, print, options);
  return outcomes.map((o) => o.outcome);
}

function symbol(outcome: ExecutionOutcome): string {
  return outcome.kind === 'executed' ? '✓' : '✗';
}
