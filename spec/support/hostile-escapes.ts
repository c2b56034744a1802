/**
 * Runs every hostile scenario in a process of its own and reports, as one
 * JSON line, what escaped to the process: uncaught exceptions, unhandled
 * rejections and warnings. Jest installs handlers of its own, so escapes are
 * only observable faithfully outside it (spec/hostile-authority-state.spec.ts).
 */
import { Subject } from 'rxjs';
import { ExecutionDriver, type PendingCertificate } from '../../lib';
import { pending, result } from './certificates';
import { BAD_RETURNS, PHASES, runScenario } from './hostile-states';
import { silentLogger } from './silent-logger';

const escapes: string[] = [];
process.on('uncaughtException', (error) => escapes.push(`uncaughtException: ${String(error)}`));
process.on('unhandledRejection', (reason) => escapes.push(`unhandledRejection: ${String(reason)}`));
process.on('warning', (warning) => escapes.push(`warning: ${warning.name}: ${warning.message}`));

async function main(): Promise<void> {
  const results: { scenario: string; outcomes: string[]; unstarted: number }[] = [];
  for (const [name, bad] of Object.entries(BAD_RETURNS)) {
    for (const phase of PHASES) {
      const { outcomes, summary } = await runScenario(bad, phase);
      results.push({
        scenario: `${name} / ${phase}`,
        outcomes: outcomes.map((o) => `${o.digest}:${o.kind}`),
        unstarted: summary.unstarted.length,
      });
    }
  }
  const limitLowered = await lowerLimitUnderLoad();
  // Give late timers and microtasks a chance to escape before reporting.
  await new Promise((resolve) => setTimeout(resolve, 50));
  process.stdout.write(`${JSON.stringify({ escapes, results, limitLowered })}\n`);
}

void main();

/** 64 executions listening on the shared abort signal while the limit drops from 64 to 1. */
async function lowerLimitUnderLoad(): Promise<{ executed: number; signalListenersAtOnce: number }> {
  const ready = new Subject<PendingCertificate>();
  const release: (() => void)[] = [];
  let listening = 0;
  let signalListenersAtOnce = 0;
  const handle = new ExecutionDriver({
    readyCertificates: ready,
    logger: silentLogger,
    maxConcurrentExecutions: 64,
    authorityState: {
      loadEpochStoreOneCallPerTask: () => ({ epoch: 0 }),
      tryExecuteImmediately: (certificate, _digest, _index, _store, signal) =>
        new Promise((resolve) => {
          const onAbort = () => undefined;
          signal?.addEventListener('abort', onAbort);
          signalListenersAtOnce = Math.max(signalListenersAtOnce, ++listening);
          release.push(() => {
            signal?.removeEventListener('abort', onAbort);
            listening--;
            resolve(result(certificate.digest));
          });
        }),
    },
  }).spawn();
  for (let i = 0; i < 64; i++) ready.next(pending(`c${i}`));
  handle.setMaxConcurrentExecutions(1);
  await new Promise((resolve) => setTimeout(resolve, 10)); // warnings are emitted on a later tick
  for (const done of release.splice(0)) done();
  ready.complete();
  const summary = await handle.done;
  return { executed: summary.executed, signalListenersAtOnce };
}
