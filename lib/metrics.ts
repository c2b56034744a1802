import { Counter, type Gauge, Histogram, Registry } from 'prom-client';
import { InvalidOptionError } from './errors';
import { liveGauge } from './live-gauge';
import type { FailureReason, SkipReason } from './outcomes';

/** Error label values: every failure reason, plus `fork` for fatal outcomes. */
export type ErrorLabel = FailureReason | 'fork';

/** Live figures a run exposes to the gauges, read at scrape time. */
export interface RunGauges {
  readonly inFlight: number;
  readonly backlogSize: number;
  readonly maxConcurrentExecutions: number;
  readonly paused: boolean;
}

/** Latency buckets in seconds, from 100 µs (in-memory executions) to 10 s. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The first metric the class registers: present when a registry holds a driver's metrics already. */
const EXECUTED = 'execution_driver_executed_total';

/**
 * The driver's Prometheus metrics, registered on `registry` (a fresh one by
 * default, never prom-client's global registry, so tests and several drivers
 * in one process never collide). Labels are bounded enums, never digests.
 */
export class ExecutionDriverMetrics {
  readonly registry: Registry;
  /** `execution_driver_executed_total`: certificates executed and committed. */
  readonly executed: Counter;
  /** `execution_driver_errors_total{reason}`: failed and fatal outcomes by reason. */
  readonly errors: Counter<'reason'>;
  /** `execution_driver_skipped_total{reason}`: certificates skipped by reason. */
  readonly skipped: Counter<'reason'>;
  /** `execution_driver_retries_total`: retries of transient failures. */
  readonly retries: Counter;
  /** `execution_driver_execution_latency_seconds`: first attempt to result. */
  readonly executionLatency: Histogram;
  /** `execution_driver_queueing_delay_seconds`: ready (received) to started. */
  readonly queueingDelay: Histogram;
  /** `execution_driver_in_flight`: executions running now, holding a slot (not staged ones). */
  readonly inFlight: Gauge;
  /** `execution_driver_backlog`: certificates received and waiting for a slot. */
  readonly backlog: Gauge;
  /** `execution_driver_max_concurrent_executions`: the concurrency limit now (summed over runs). */
  readonly concurrencyLimit: Gauge;
  /** `execution_driver_paused`: runs paused now. */
  readonly paused: Gauge;

  private readonly runs = new Set<RunGauges>();

  /**
   * @throws InvalidOptionError for a `registry` that is not a prom-client
   * `Registry`, or that holds a driver's metrics already (share the first
   * `ExecutionDriverMetrics` between drivers instead).
   */
  constructor(registry: Registry = new Registry()) {
    if (typeof (registry as Partial<Registry> | null | undefined)?.getSingleMetric !== 'function') {
      throw new InvalidOptionError('registry', registry, 'a prom-client Registry');
    }
    if (registry.getSingleMetric(EXECUTED) !== undefined) {
      throw new InvalidOptionError('registry', registry, 'a Registry without execution driver metrics yet (share one ExecutionDriverMetrics between drivers)');
    }
    this.registry = registry;
    const registers = [registry];
    this.executed = new Counter({
      name: EXECUTED,
      help: 'Certificates executed and committed',
      registers,
    });
    this.errors = new Counter({
      name: 'execution_driver_errors_total',
      help: 'Certificates that failed or forked, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.skipped = new Counter({
      name: 'execution_driver_skipped_total',
      help: 'Certificates skipped without execution, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.retries = new Counter({
      name: 'execution_driver_retries_total',
      help: 'Retries of transient execution failures',
      registers,
    });
    this.executionLatency = new Histogram({
      name: 'execution_driver_execution_latency_seconds',
      help: 'Time from the first execution attempt to its result, retries included',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.queueingDelay = new Histogram({
      name: 'execution_driver_queueing_delay_seconds',
      help: 'Time from a certificate being received as ready to its execution starting',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    // Gauges are read from the live runs at scrape time: no work per certificate.
    const total = (read: (run: RunGauges) => number) => () => {
      let sum = 0;
      for (const run of this.runs) sum += read(run);
      return sum;
    };
    this.inFlight = liveGauge(registry, 'execution_driver_in_flight', 'Executions in flight', total((run) => run.inFlight));
    this.backlog = liveGauge(
      registry,
      'execution_driver_backlog',
      'Certificates received and waiting for an execution slot',
      total((run) => run.backlogSize),
    );
    this.concurrencyLimit = liveGauge(
      registry,
      'execution_driver_max_concurrent_executions',
      'Executions allowed in flight at once now',
      total((run) => run.maxConcurrentExecutions),
    );
    this.paused = liveGauge(registry, 'execution_driver_paused', 'Runs whose intake is paused', total((run) => (run.paused ? 1 : 0)));
    // Pre-create every label value so dashboards see zeros, not gaps.
    for (const reason of ['already-executed', 'duplicate-in-flight', 'wrong-epoch'] satisfies SkipReason[]) {
      this.skipped.inc({ reason }, 0);
    }
    const errorLabels: ErrorLabel[] = [
      'malformed-certificate',
      'execution-error',
      'retries-exhausted',
      'invalid-result',
      'aborted',
      'fork',
    ];
    for (const reason of errorLabels) this.errors.inc({ reason }, 0);
  }

  /** Include a run in the gauges until the returned function is called. */
  trackRun(run: RunGauges): () => void {
    this.runs.add(run);
    return () => this.runs.delete(run);
  }
}
