import { Subject, of } from 'rxjs';
import { Registry } from 'prom-client';
import { ExecutionDriver, ExecutionDriverMetrics, type PendingCertificate, TransientExecutionError } from '../lib';
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
});
