import { Subject } from 'rxjs';
import winston from 'winston';
import {
  ExecutionDriver,
  ExecutionDriverMetrics,
  type ExecutionOutcome,
  type PendingCertificate,
  type RunSummary,
  serveMetrics,
} from '../../lib';
import { type ScenarioEnd, endScenario } from '../shared/scenario';
import { InMemoryAuthorityState, effectsDigest, seededRandom } from './in-memory-authority-state';

/** Knobs of the basic demo. */
export interface DemoOptions extends ScenarioEnd {
  readonly certificates: number;
  readonly maxConcurrentExecutions: number;
  readonly seed: number;
  readonly maxLatencyMs: number;
  /** Where lines go (the console by default; a test collects them). */
  readonly print: (line: string) => void;
}

export const DEFAULT_DEMO: DemoOptions = {
  certificates: 60,
  maxConcurrentExecutions: 4,
  seed: 7,
  maxLatencyMs: 40,
  print: (line) => console.log(line),
};

const EPOCH = 3;

/**
 * Feed a stream of ready certificates, as a TransactionManager would, into
 * the driver, and print each outcome as it streams out, then the summary and
 * the metrics. A seeded mix: mostly good transfers, some that abort, some
 * that hit a transient conflict, duplicates, stale-epoch ones, and replays of
 * certificates already executed.
 */
export async function runDemo(options: DemoOptions = DEFAULT_DEMO): Promise<RunSummary> {
  const { print } = options;
  const random = seededRandom(options.seed);
  const state = new InMemoryAuthorityState({ epoch: EPOCH }, random, { maxLatencyMs: options.maxLatencyMs });
  const metrics = new ExecutionDriverMetrics();
  const ready = new Subject<PendingCertificate>();
  const started = performance.now();

  const handle = new ExecutionDriver({
    readyCertificates: ready,
    authorityState: state,
    metrics,
    maxConcurrentExecutions: options.maxConcurrentExecutions,
    retry: { maxAttempts: 3, initialDelayMs: 5 },
    logger: winston.createLogger({ silent: true }),
  }).spawn({ next: (outcome) => print(describe(outcome, performance.now() - started, handle.inFlight, handle.backlogSize)) });

  const server = await serveMetrics({ registry: metrics.registry });
  print(`metrics: ${server.url}`);
  print(`Execution driver demo: ${options.certificates} certificates, concurrency ${options.maxConcurrentExecutions}, epoch ${EPOCH}, seed ${options.seed}`);
  print('');
  const sent: string[] = [];
  for (let i = 0; i < options.certificates; i++) {
    const roll = random();
    let digest = `tx-${i.toString().padStart(4, '0')}`;
    let epoch = EPOCH;
    if (roll < 0.08) digest = `fail-${i}`;
    else if (roll < 0.16) digest = `busy-${i}`;
    else if (roll < 0.22 && sent.length > 0) digest = sent[Math.floor(random() * sent.length)] ?? digest; // duplicate or replay
    else if (roll < 0.26) epoch = EPOCH - 1; // certified in the previous epoch
    sent.push(digest);
    ready.next({ certificate: { digest, epoch }, expectedEffectsDigest: effectsDigest(digest) });
    // Certificates become ready over time, in small bursts.
    if (i % 8 === 7) await new Promise((resolve) => setTimeout(resolve, options.maxLatencyMs / 4));
  }
  ready.complete();

  const summary = await handle.done;
  print('');
  print(
    `Drained in ${Math.round(performance.now() - started)} ms: ${summary.executed} executed, ${summary.failed} failed, ` +
      `${summary.retries} retries, skipped ${JSON.stringify(summary.skipped)}`,
  );
  print('');
  print('Metrics (histogram buckets omitted):');
  const text = await metrics.registry.metrics();
  for (const line of text.split('\n')) {
    if (line.startsWith('execution_driver_') && !line.includes('_bucket')) print(`  ${line}`);
  }
  await endScenario(server, print, options);
  return summary;
}

const KIND_LABEL: Record<ExecutionOutcome['kind'], string> = {
  executed: 'EXECUTED',
  skipped: 'SKIPPED ',
  failed: 'FAILED  ',
  fatal: 'FATAL   ',
};

function describe(outcome: ExecutionOutcome, elapsedMs: number, inFlight: number, backlog: number): string {
  const at = `${Math.round(elapsedMs).toString().padStart(5)} ms`;
  const load = `in-flight ${inFlight}, backlog ${backlog.toString().padStart(2)}`;
  let detail: string;
  switch (outcome.kind) {
    case 'executed':
      detail = `effects ${outcome.effects.digest} in ${outcome.latencyMs.toFixed(1)} ms${outcome.attempts > 1 ? ` after ${outcome.attempts} attempts` : ''}`;
      break;
    case 'skipped':
      detail = outcome.reason + (outcome.currentEpoch === undefined ? '' : ` (driver is in epoch ${outcome.currentEpoch})`);
      break;
    case 'failed':
      detail = `${outcome.reason}: ${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}`;
      break;
    case 'fatal':
      detail = outcome.error.message;
      break;
  }
  return `${at}  ${KIND_LABEL[outcome.kind]} ${outcome.digest.padEnd(9)} ${detail.padEnd(58)} ${load}`;
}
