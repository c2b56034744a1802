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
  h: '----r',
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
  let completedAt = Number.NaN;
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
    handle.outcomes$.subscribe({
      next: (outcome) => outcomes.push({ frame: scheduler.now(), outcome }),
      complete: () => (completedAt = scheduler.now()),
    });
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
  const events = outcomes.map((o) => ({ frame: o.frame, value: o.outcome.digest }));
  print(`Outcomes by frame: ${events.map((e) => `${e.value}@${e.frame}`).join(' ')}, complete@${completedAt}`);
  const marble = marbleOf(events, completedAt);
  // A group takes as many frames as it has characters, so values that follow one too closely have no marble.
  print(marble === undefined ? 'Outcomes as a marble: none (a group is followed too closely to write one)' : `Outcomes as a marble: ${marble}`);
  const order = outcomes.map((o) => o.outcome.digest).join(' ');
  print(`Finish order: ${order}  (ready order: ${Object.keys(ORDERING_SCRIPTS).join(' ')})`);
  const counters = (await metrics.registry.metrics()).split('\n').filter((line) => /^execution_driver_(executed|retries|errors)_total/.test(line) && !line.endsWith(' 0'));
  print(`Metrics: ${counters.join(', ')}`);
  await endScenario(server, print, options);
  return outcomes.map((o) => o.outcome);
}

/**
 * The RxJS marble of `events` (one-character values, by frame) and a
 * completion at `completedAt`, exactly as `TestScheduler` parses it: each
 * character takes one frame, a group `(xy)` emits at its first frame and
 * takes as many frames as it has characters, a completion in the frame of a
 * value goes in its group. Undefined when no marble can say it (a value
 * due before the previous group's characters have passed).
 */
export function marbleOf(events: readonly { frame: number; value: string }[], completedAt: number): string | undefined {
  const frames = [...new Set([...events.map((e) => e.frame), completedAt])].sort((a, b) => a - b);
  let marble = '';
  let next = 0; // the frame the next character stands for
  for (const frame of frames) {
    if (frame < next) return undefined;
    const at = events.filter((e) => e.frame === frame).map((e) => e.value);
    if (frame === completedAt) at.push('|');
    marble += `${'-'.repeat(frame - next)}${at.length === 1 ? (at[0] as string) : `(${at.join('')})`}`;
    next = frame + (at.length === 1 ? 1 : at.length + 2);
  }
  return marble;
}

function symbol(outcome: ExecutionOutcome): string {
  return outcome.kind === 'executed' ? '✓' : '✗';
}
