import { TestScheduler } from 'rxjs/testing';
import winston from 'winston';
import { ExecutionDriver, ExecutionDriverMetrics, type ExecutionOutcome, ForkDetectedError, type RunSummary, serveMetrics } from '../../lib';
import { brief, certificates, marbleAuthorityState } from '../../lib/testing';
import { type ScenarioEnd, endScenario } from '../shared/scenario';

/**
 * Fork detection: the certificates come with the effects digest the rest of
 * the network committed (as from a checkpoint). One execution here produces
 * different effects. The driver emits a fatal outcome, takes nothing more,
 * lets in-flight executions finish, hands back what never started, and
 * `done` rejects with ForkDetectedError.
 */
export async function runFork(print: (line: string) => void, end: ScenarioEnd = {}): Promise<{ outcomes: ExecutionOutcome[]; error: unknown }> {
  const metrics = new ExecutionDriverMetrics();
  const server = await serveMetrics({ registry: metrics.registry });
  print(`metrics: ${server.url}`);
  print('Fork detection: certificates a to g carry the effects digest the network committed; concurrency 2, virtual time.');
  print('c executes to different effects here.');
  print('');
  const outcomes: ExecutionOutcome[] = [];
  let done: Promise<RunSummary> | undefined;
  const scheduler = new TestScheduler(() => undefined);
  scheduler.run(({ cold, hot }) => {
    // c's execution here diverges (f: different effects); d is slow and in flight when it happens.
    const state = marbleAuthorityState(cold, { a: '-r', b: '--r', c: '---f', d: '------r', e: '-r', f: '-r', g: '-r' }, { scheduler });
    const handle = new ExecutionDriver({
      readyCertificates: hot('(abcde)-f-g|', certificates('abcdefg', { expectEffects: 'abcdefg' })),
      authorityState: state,
      maxConcurrentExecutions: 2,
      scheduler,
      metrics,
      logger: winston.createLogger({ silent: true }),
    }).spawn();
    handle.outcomes$.subscribe((outcome) => {
      outcomes.push(outcome);
      print(`frame ${String(scheduler.now()).padStart(2)}  ${brief(outcome).padEnd(12)}${describe(outcome)}`);
    });
    done = handle.done;
  });
  print('');
  const error = await (done as Promise<RunSummary>).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (error instanceof ForkDetectedError) {
    print(`done rejected with ${error.name}: ${error.message}`);
    print(`  certificate ${error.pending.certificate.digest}: expected effects ${error.expectedEffectsDigest}, executed ${error.actualEffectsDigest}`);
    const summary = error.summary;
    if (summary) {
      print(`  summary: executed ${summary.executed}, fatal ${summary.fatal}; handed back unstarted: ${summary.unstarted.map((p) => p.certificate.digest).join(', ') || 'none'}`);
    }
    print('The driver halted cleanly: the execution in flight (d) finished, nothing started after the fork,');
    print('e (waiting for a slot) was handed back, and f and g, ready after the fork, were never taken.');
  } else {
    print(`unexpected end: ${String(error)}`);
  }
  const forks = (await metrics.registry.metrics()).split('\n').find((line) => line.startsWith('execution_driver_errors_total{reason="fork"}'));
  print(`Metrics: ${forks ?? 'no fork counter'}`);
  await endScenario(server, print, end);
  return { outcomes, error };
}

function describe(outcome: ExecutionOutcome): string {
  return outcome.kind === 'fatal' ? '  <- effects differ from the network\'s: fork, halting' : '';
}
