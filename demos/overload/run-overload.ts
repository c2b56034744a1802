import { serveMetrics } from '../../lib';
import { type ScenarioEnd, endScenario } from '../shared/scenario';
import { Simulation } from '../shared/simulation';

/** Options of the overload demo. */
export interface OverloadDemoOptions extends ScenarioEnd {
  readonly burst: number;
  readonly maxPendingAndExecuting: number;
  readonly print: (line: string) => void;
  /** Accounts merge received coins once they hold this many (default 4); `null`: transfers only. */
  readonly mergeReceivedCoins?: number | null;
}

/** What one overload run ends with. */
export interface OverloadResult {
  readonly committed: number;
  readonly total: number;
  /** Submission calls refused (`OverloadedError` at the door). */
  readonly refused: number;
  /** Certificates the manager accepted (`pending` or `ready`), resubmissions included. */
  readonly accepted: number;
  /** Certificates accepted, then handed back waiting for objects not created yet (and resubmitted). */
  readonly handedBack: number;
  /** Certificates admitted past the limits, then handed back still waiting after their age limit (and resubmitted). */
  readonly handedBackPastLimit: number;
}

const n = (value: number) => value.toLocaleString('en-US');

/**
 * Overload: a steady flow, then a burst far past the manager's admission
 * limit. Submissions are refused with OverloadedError (by limit), the client
 * backs off and retries its oldest certificates first, and the pipeline
 * recovers: every transaction commits, none is lost or run twice.
 */
export async function runOverload(options: OverloadDemoOptions): Promise<OverloadResult> {
  const { print } = options;
  const steady = 1_000;
  const total = steady * 2 + options.burst;
  const simulation = await Simulation.start({
    ratePerSecond: steady,
    maxConcurrentExecutions: 16,
    contention: 0.05,
    // The budget past the limits (for certificates that may run at once, or unblock a waiting one) at the same scale, so a burst passes both.
    limits: { maxPendingAndExecuting: options.maxPendingAndExecuting, maxPastLimit: options.maxPendingAndExecuting, maxPerObjectQueue: 2_000, maxQueueAgeMs: 1_000 },
    ...(options.mergeReceivedCoins === undefined ? {} : { mergeReceivedCoins: options.mergeReceivedCoins }),
  });
  const metrics = await serveMetrics({ registry: simulation.registry });
  print(`metrics: ${metrics.url}`);
  const merging = options.mergeReceivedCoins === null ? 'transfers only' : `accounts merge every ${options.mergeReceivedCoins ?? 4} coins received`;
  print(`Overload (${merging}): ${n(steady)} transactions/s, then a burst of ${n(options.burst)}; admission limit ${n(options.maxPendingAndExecuting)} pending or executing, queues at most 1 s old.`);
  print('');
  print('     t   committed   in manager   refused calls (pending · per-object · age)   waiting to retry');
  const started = performance.now();
  const line = () => {
    const s = simulation.current();
    const t = ((performance.now() - started) / 1000).toFixed(2).padStart(6);
    const inManager = s.manager.pending + s.manager.executing;
    const refused = `${n(s.refused['pending-and-executing'])} · ${n(s.refused['per-object-queue'])} · ${n(s.refused['queue-age'])}`;
    print(`${t}s  ${n(s.committed).padStart(10)}  ${n(inManager).padStart(11)}   ${refused.padEnd(43)}  ${n(s.retrying).padStart(16)}`);
  };
  const ticker = setInterval(line, 250);
  const finished = simulation.runFixed(total);
  setTimeout(() => {
    print(`  -- burst: ${n(options.burst)} transactions submitted at once`);
    simulation.burst(options.burst);
  }, 1_000);
  await finished;
  clearInterval(ticker);
  line();
  await simulation.stop('drain');
  const s = simulation.current();
  const refused = Object.values(s.refused).reduce((a, b) => a + b, 0);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  print('');
  print(`Recovered: ${n(s.committed)} of ${n(total)} transactions committed in ${seconds} s, each exactly once.`);
  print(
    `${n(refused)} submission calls were refused (OverloadedError, by limit: pending-and-executing ${n(s.refused['pending-and-executing'])}, per-object-queue ${n(s.refused['per-object-queue'])}, queue-age ${n(s.refused['queue-age'])}, past-limit ${n(s.refused['past-limit'])}); the refused certificates were retried, oldest first, and none was lost.`,
  );
  const handedBack = s.handedBack['awaiting-creation'] + s.handedBack['awaiting-creation-age'];
  const handedBackPastLimit = s.handedBack['past-limit-age'];
  print(
    `${n(s.accepted)} certificates accepted (resubmissions included); ${n(handedBack)} handed back waiting for coins not created yet (budget full ${n(s.handedBack['awaiting-creation'])}, too old ${n(s.handedBack['awaiting-creation-age'])}), ${n(handedBackPastLimit)} admitted past the limits and handed back still waiting after their age limit; all resubmitted.`,
  );
  await endScenario(metrics, print, options);
  return { committed: s.committed, total, refused, accepted: s.accepted, handedBack, handedBackPastLimit };
}
