import { EMPTY, type Observable, type SchedulerLike, catchError, concat, defer, ignoreElements, interval, map, of, scan, takeUntil } from 'rxjs';
import type { OutcomeCounts } from './run-summary';

export type { OutcomeCounts } from './run-summary';

/** Latency percentiles (ms) over the most recent executions. */
export interface LatencyPercentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  /** Executions the percentiles cover (0: no execution yet, and every percentile is 0). */
  readonly samples: number;
}

/** The live state of a running driver, at one moment. */
export interface DriverSnapshot {
  /** When it was taken, in ms on the driver's clock (its scheduler's `now()`). */
  readonly at: number;
  readonly inFlight: number;
  readonly maxConcurrentExecutions: number;
  readonly backlogSize: number;
  readonly paused: boolean;
  readonly outcomes: OutcomeCounts;
  /** Execution latency (first attempt to result) over the last {@link LATENCY_WINDOW} executions. */
  readonly latencyMs: LatencyPercentiles;
}

/** One of a periodic stream of snapshots, with rates since the previous one. */
export interface PeriodicSnapshot extends DriverSnapshot {
  /** Certificates executed per second since the previous snapshot (since the first tick, for the first). */
  readonly executedPerSecond: number;
  /** Outcomes of any kind per second, likewise. */
  readonly outcomesPerSecond: number;
}

/** Executions the latency percentiles cover. */
export const LATENCY_WINDOW = 1024;

/** The most recent execution latencies, in a fixed ring: no allocation per execution. */
export class LatencyWindow {
  private readonly samples: Float64Array;
  private next = 0;
  private count = 0;

  constructor(size = LATENCY_WINDOW) {
    this.samples = new Float64Array(size);
  }

  add(latencyMs: number): void {
    this.samples[this.next] = latencyMs;
    this.next = (this.next + 1) % this.samples.length;
    if (this.count < this.samples.length) this.count++;
  }

  percentiles(): LatencyPercentiles {
    if (this.count === 0) return { p50: 0, p95: 0, p99: 0, samples: 0 };
    const sorted = this.samples.slice(0, this.count).sort();
    // Nearest rank: the smallest sample with at least p of the samples at or below it.
    const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * this.count) - 1)] as number;
    return { p50: rank(0.5), p95: rank(0.95), p99: rank(0.99), samples: this.count };
  }
}

/**
 * Snapshots every `periodMs` on `scheduler` until `end$` completes (or
 * errors; its values are ignored), then one last snapshot: a UI subscribes to this instead of polling. Rates
 * are per subscription, from one snapshot to the next.
 */
export function periodicSnapshots(
  take: () => DriverSnapshot,
  periodMs: number,
  scheduler: SchedulerLike,
  end$: Observable<unknown>,
): Observable<PeriodicSnapshot> {
  return defer(() => {
    const first = take();
    const ticks = interval(periodMs, scheduler).pipe(
      takeUntil(concat(end$.pipe(ignoreElements(), catchError(() => EMPTY)), of(true))),
      map(() => take()),
    );
    return concat(ticks, defer(() => of(take()))).pipe(
      scan<DriverSnapshot, { previous: DriverSnapshot; current: PeriodicSnapshot | undefined }>(
        ({ previous }, current) => ({ previous: current, current: withRates(previous, current) }),
        { previous: first, current: undefined },
      ),
      map(({ current }) => current as PeriodicSnapshot),
    );
  });
}

function withRates(previous: DriverSnapshot, current: DriverSnapshot): PeriodicSnapshot {
  const seconds = (current.at - previous.at) / 1000;
  const rate = (now: number, before: number) => (seconds > 0 ? (now - before) / seconds : 0);
  return {
    ...current,
    executedPerSecond: rate(current.outcomes.executed, previous.outcomes.executed),
    outcomesPerSecond: rate(current.outcomes.total, previous.outcomes.total),
  };
}
