import { Subject, asyncScheduler, of } from 'rxjs';
import { Registry } from 'prom-client';
import { ExecutionDriver, ExecutionDriverMetrics, InvalidOptionError, type PendingCertificate, TransientExecutionError } from '../lib';
import { pending, result } from './support/certificates';
import { ScriptedAuthorityState } from './support/scripted-authority-state';
import { silentLogger } from './support/silent-logger';

async function value(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  // Histogram series (`_count`, `_sum`, `_bucket`) live under the histogram's own name.
  const base = name.replace(/_(count|sum|bucket)$/, '');
  const metric = await (registry.getSingleMetric(name) ?? registry.getSingleMetric(base))?.get();
  return metric?.values.find(
    (v) => ((v as { metricName?: string }).metricName ?? name) === name && Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  )?.value;
}

describe('ExecutionDriverMetrics', () => {
  it('registers on the given registry only, so several can live in one process', () => {
    const registry = new Registry();
    new ExecutionDriverMetrics(registry);
    expect(registry.getMetricsAsArray().map((m) => m.name).sort()).toEqual([
      'execution_driver_backlog',
      'execution_driver_errors_total',
      'execution_driver_executed_total',
      'execution_driver_execution_latency_seconds',
      'execution_driver_in_flight',
      'execution_driver_max_concurrent_executions',
      'execution_driver_paused',
      'execution_driver_queueing_delay_seconds',
      'execution_driver_retries_total',
      'execution_driver_skipped_total',
    ]);
    expect(() => new ExecutionDriverMetrics()).not.toThrow();
    expect(() => new ExecutionDriverMetrics()).not.toThrow();
  });

  it('counts outcomes by kind and reason, never by digest', async () => {
    const metrics = new ExecutionDriverMetrics();
    const state = new ScriptedAuthorityState((c, attempt) => {
      if (c.digest === 'bad') throw new Error('boom');
      if (c.digest === 'flaky' && attempt === 1) throw new TransientExecutionError('busy');
      return of(result(c.digest));
    });
    state.epoch = 1;
    const items = [
      pending('a', { epoch: 1 }),
      pending('flaky', { epoch: 1 }),
      pending('bad', { epoch: 1 }),
      pending('old', { epoch: 0 }),
      pending('forked', { epoch: 1, expectedEffectsDigest: 'nope' }),
    ];
    const handle = new ExecutionDriver({
      readyCertificates: of(...items),
      authorityState: state,
      metrics,
      retry: { initialDelayMs: 0 },
      logger: silentLogger,
    }).spawn();
    await handle.done.catch(() => undefined);
    const { registry } = metrics;
    expect(await value(registry, 'execution_driver_executed_total')).toBe(2);
    expect(await value(registry, 'execution_driver_retries_total')).toBe(1);
    expect(await value(registry, 'execution_driver_errors_total', { reason: 'execution-error' })).toBe(1);
    expect(await value(registry, 'execution_driver_errors_total', { reason: 'fork' })).toBe(1);
    expect(await value(registry, 'execution_driver_errors_total', { reason: 'aborted' })).toBe(0);
    expect(await value(registry, 'execution_driver_skipped_total', { reason: 'wrong-epoch' })).toBe(1);
    expect(await value(registry, 'execution_driver_execution_latency_seconds_count')).toBe(2);
    expect(await value(registry, 'execution_driver_queueing_delay_seconds_count')).toBe(5);
    expect(await registry.metrics()).not.toMatch(/="(a|flaky|bad|old|forked)"/);
  });

  it('reads in-flight and backlog gauges from the live run at scrape time', async () => {
    const metrics = new ExecutionDriverMetrics();
    const ready = new Subject<PendingCertificate>();
    const release: (() => void)[] = [];
    const state = new ScriptedAuthorityState((c) => new Promise((resolve) => release.push(() => resolve(result(c.digest)))));
    const handle = new ExecutionDriver({
      readyCertificates: ready,
      authorityState: state,
      metrics,
      maxConcurrentExecutions: 2,
      logger: silentLogger,
    }).spawn();
    for (const d of ['a', 'b', 'c', 'd', 'e']) ready.next(pending(d));
    expect(await value(metrics.registry, 'execution_driver_in_flight')).toBe(2);
    expect(await value(metrics.registry, 'execution_driver_backlog')).toBe(3);
    const summary = handle.stop({ mode: 'abort' });
    await summary;
    expect(await value(metrics.registry, 'execution_driver_in_flight')).toBe(0);
    expect(await value(metrics.registry, 'execution_driver_backlog')).toBe(0);
    expect(await value(metrics.registry, 'execution_driver_errors_total', { reason: 'aborted' })).toBe(2);
  });

  it('counts a retry when it is made, as the summary does: none for a stop during the backoff', async () => {
    const metrics = new ExecutionDriverMetrics();
    const ready = new Subject<PendingCertificate>();
    const state = new ScriptedAuthorityState(() => Promise.reject(new TransientExecutionError('busy')));
    const handle = new ExecutionDriver({ readyCertificates: ready, authorityState: state, metrics, retry: { initialDelayMs: 1000 }, logger: silentLogger }).spawn();
    ready.next(pending('a'));
    await new Promise((resolve) => setTimeout(resolve, 10)); // the first attempt has failed: its retry waits
    const summary = await handle.stop({ mode: 'abort' });
    expect(summary.retries).toBe(0);
    expect(await value(metrics.registry, 'execution_driver_retries_total')).toBe(summary.retries);
  });

  it('records every outcome of a run whose clock answers non-finite readings, flattened, and the run ends', async () => {
    for (const bad of [Infinity, -Infinity, NaN]) {
      for (let k = 1; k <= 10; k++) {
        const metrics = new ExecutionDriverMetrics();
        let reads = 0;
        const scheduler = { now: () => (++reads === k ? bad : reads), schedule: asyncScheduler.schedule.bind(asyncScheduler) };
        const seen: string[] = [];
        const state = new ScriptedAuthorityState((c) => Promise.resolve(result(c.digest)));
        const handle = new ExecutionDriver({ readyCertificates: of(pending('a'), pending('b'), pending('c')), authorityState: state, scheduler, metrics, logger: silentLogger }).spawn({
          next: (o) => {
            seen.push(o.digest);
            expect(Number.isFinite(o.queueingDelayMs)).toBe(true);
            if (o.kind === 'executed') expect(Number.isFinite(o.latencyMs)).toBe(true);
          },
        });
        const summary = await handle.done;
        expect({ bad, k, seen: seen.sort(), inFlight: handle.inFlight }).toEqual({ bad, k, seen: ['a', 'b', 'c'], inFlight: 0 });
        expect(await value(metrics.registry, 'execution_driver_executed_total')).toBe(summary.executed);
        expect(await value(metrics.registry, 'execution_driver_queueing_delay_seconds_count')).toBe(3);
        expect(Number.isFinite(handle.snapshot().at)).toBe(true);
      }
    }
  });

  it('leaves out of the histograms a duration that overflows (finite readings at the ends of the range)', async () => {
    const metrics = new ExecutionDriverMetrics();
    let reads = 0;
    const scheduler = { now: () => (++reads % 2 === 0 ? Number.MAX_VALUE : -Number.MAX_VALUE), schedule: asyncScheduler.schedule.bind(asyncScheduler) };
    const state = new ScriptedAuthorityState((c) => Promise.resolve(result(c.digest)));
    const handle = new ExecutionDriver({ readyCertificates: of(pending('a'), pending('b')), authorityState: state, scheduler, metrics, logger: silentLogger }).spawn();
    const summary = await handle.done;
    expect(summary.executed).toBe(2);
    expect(await value(metrics.registry, 'execution_driver_executed_total')).toBe(2);
    const sums = [...(await metrics.registry.metrics()).matchAll(/_seconds_sum (\S+)/g)].map((m) => Number(m[1]));
    expect(sums).toHaveLength(2);
    for (const sum of sums) expect(Number.isFinite(sum)).toBe(true);
  });

  it('refuses, with a typed error, a registry that holds a driver\'s metrics already or is none, and metrics that are not an ExecutionDriverMetrics', () => {
    const registry = new Registry();
    new ExecutionDriverMetrics(registry);
    expect(() => new ExecutionDriverMetrics(registry)).toThrow(InvalidOptionError);
    expect(() => new ExecutionDriverMetrics({} as Registry)).toThrow(InvalidOptionError);
    const state = new ScriptedAuthorityState(() => of(result('a')));
    expect(() => new ExecutionDriver({ readyCertificates: of(), authorityState: state, metrics: { registry } as unknown as ExecutionDriverMetrics })).toThrow(
      /Invalid option metrics/,
    );
  });
});
