import type { SimulationSnapshot } from './simulation';
import { percent } from './simulation';

const n = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
const BARS = '▁▂▃▄▅▆▇█';

/** A one-line chart of recent values. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(1, ...values);
  return values.map((v) => BARS[Math.min(BARS.length - 1, Math.floor((v / max) * (BARS.length - 1)))] ?? ' ').join('');
}

/** `a 1 · b 2`, for a record of counts. */
function counts(record: Readonly<Record<string, number>>): string {
  return Object.entries(record)
    .map(([key, value]) => `${key} ${n(value)}`)
    .join(' · ');
}

/** The dashboard's rows, label first. */
export function dashboardRows(s: SimulationSnapshot, history: readonly number[]): [string, string][] {
  const { driver } = s;
  const failed = Object.values(driver.outcomes.failed).reduce((a, b) => a + b, 0);
  return [
    ['Throughput', `${n(driver.executedPerSecond)} executed/s  ${sparkline(history)}`],
    ['In flight', `${driver.inFlight} / limit ${driver.maxConcurrentExecutions}    backlog ${n(driver.backlogSize)}    ${driver.paused ? 'PAUSED' : 'running'}`],
    ['Latency', `p50 ${ms(driver.latencyMs.p50)}   p95 ${ms(driver.latencyMs.p95)}   p99 ${ms(driver.latencyMs.p99)}`],
    ['Executed', `${n(driver.outcomes.executed)}    retried ${n(driver.outcomes.retries)}    failed ${n(failed)} (resubmitted ${n(s.resubmitted)})`],
    ['Skipped', counts(driver.outcomes.skipped)],
    ['Failed', counts(driver.outcomes.failed)],
    ['Manager', `pending ${n(s.manager.pending)} · executing ${n(s.manager.executing)} · missing objects ${n(s.manager.missingObjects)}`],
    ['Refused', `${counts(s.refused)}    waiting to retry ${n(s.retrying)}`],
    ['Handed back', `${counts(s.handedBack)}    (waited for objects not created yet; resubmitted)`],
    ['Deduped', counts(s.deduped)],
    ['Epoch', `${s.epoch}    feed ${s.feed}    generated ${n(s.generated)}    committed ${n(s.committed)}`],
    ['Dials', `rate ${n(s.ratePerSecond)}/s · contention ${percent(s.contention)} · failures ${percent(s.failureRate)} · transient ${percent(s.transientRate)}`],
  ];
}

/** One progress line, for runs without a terminal. */
export function progressLine(s: SimulationSnapshot, elapsedSeconds: number): string {
  const { driver } = s;
  return (
    `[${String(Math.round(elapsedSeconds)).padStart(3)}s] committed ${n(s.committed)}/${n(s.generated)}` +
    ` · ${n(driver.executedPerSecond)}/s · in flight ${driver.inFlight}/${driver.maxConcurrentExecutions}` +
    ` · backlog ${n(driver.backlogSize)} · pending ${n(s.manager.pending)} · p99 ${ms(driver.latencyMs.p99)}` +
    ` · retries ${n(driver.outcomes.retries)} · refused ${n(Object.values(s.refused).reduce((a, b) => a + b, 0))}`
  );
}
