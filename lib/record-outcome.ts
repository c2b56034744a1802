import type { Histogram } from 'prom-client';
import type { ExecutionOutcome } from './outcomes';
import type { ResolvedOptions } from './options';
import type { StartedTask } from './process-certificate';

const MS_PER_SECOND = 1000;

/** Metrics and a log line for one outcome. */
export function recordOutcome(outcome: ExecutionOutcome, { metrics, log }: ResolvedOptions): void {
  if (metrics) {
    switch (outcome.kind) {
      case 'executed':
        metrics.executed.inc();
        observeMs(metrics.executionLatency, outcome.latencyMs);
        break;
      case 'skipped':
        metrics.skipped.inc({ reason: outcome.reason });
        break;
      case 'failed':
        metrics.errors.inc({ reason: outcome.reason });
        break;
      case 'fatal':
        metrics.errors.inc({ reason: 'fork' });
        break;
    }
  }
  log.outcome(outcome);
}

/** Queueing delay of a certificate that has just been given a slot. */
export function recordStart(task: StartedTask, { metrics }: ResolvedOptions): void {
  if (metrics) observeMs(metrics.queueingDelay, task.startedAt - task.receivedAt);
}

/** prom-client throws on a non-finite value: such a duration (a clock out of range) is not recorded. */
function observeMs(histogram: Histogram, ms: number): void {
  const seconds = ms / MS_PER_SECOND;
  if (Number.isFinite(seconds)) histogram.observe(seconds);
}
