import type { OverloadLimit } from '../../lib/validator';
import type { SimulationSnapshot, StoreView, VerificationView } from './simulation';
import { percent } from './simulation';

const n = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
const BARS = '▁▂▃▄▅▆▇█';

/** A one-line chart of recent values. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(1, ...values);
  return values.map((v) => BARS[Math.min(BARS.length - 1, Math.floor((v / max) * (BARS.length - 1)))] ?? ' ').join('');
}

/** `a 1 · b 2` for the non-zero counts of a record (`none` if all are zero): a row stays short. */
function counts(record: Readonly<Record<string, number>>): string {
  const nonZero = Object.entries(record).filter(([, value]) => value > 0);
  return nonZero.length === 0 ? 'none' : nonZero.map(([key, value]) => `${key} ${n(value)}`).join(' · ');
}

/** What each admission limit refusing means for the person watching. */
const REFUSAL_MEANING: Readonly<Record<OverloadLimit, string>> = {
  'queue-age': 'execution is behind the arrivals',
  'per-object-queue': 'too many wait on one object',
  'pending-and-executing': 'the manager is full',
  'awaiting-creation': 'too many wait for objects not created yet',
  'awaiting-creation-age': 'waited too long for an object not created yet',
  'past-limit': 'too many admitted past the limits to execute at once',
  'past-limit-age': 'admitted past the limits to execute at once, but it waits for an input',
  'pending-verification': 'signature verification is behind the arrivals',
};

/**
 * Where the run is, in one word or two: `running`, `PAUSED`, `epoch change`,
 * `finished`, `stopping (drain)`, `stopped (drain)`. Never `running` once a
 * stop was asked for or the fixed run generated everything.
 */
export function runStatus(s: SimulationSnapshot): string {
  if (s.stop) return `${s.stop.settled ? 'stopped' : 'stopping'} (${s.stop.mode})`;
  if (s.feed === 'finished') return 'finished';
  if (s.driver.paused) return 'PAUSED';
  if (s.feed === 'epoch-change') return 'epoch change';
  return 'running';
}

/** Why the latest refusal happened, meaning first (a narrow terminal cuts the figures, not the point). */
export function refusalReason(s: SimulationSnapshot): string {
  if (s.lastRefusal === undefined) return 'no refusal yet';
  const limit = s.lastRefusal.slice(0, s.lastRefusal.indexOf(':')) as OverloadLimit;
  return `${REFUSAL_MEANING[limit]} (${s.lastRefusal})`;
}

/** A size in bytes, as MiB. */
export function mebibytes(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/** The store: in memory, or the database's size on disk, last commit index and pending certificates. */
export function storeRow(store: StoreView): string {
  if (store.kind === 'memory') return 'in memory (pruned as it runs)';
  const commit = store.lastCommitIndex === undefined ? 'none yet' : n(store.lastCommitIndex);
  return `LMDB ${mebibytes(store.bytesOnDisk)} on disk · last commit ${commit} · pending ${n(store.pending)} · ${store.path}`;
}

/** The dashboard's rows, label first. */
export function dashboardRows(s: SimulationSnapshot, history: readonly number[]): [string, string][] {
  const { driver } = s;
  const failed = Object.values(driver.outcomes.failed).reduce((a, b) => a + b, 0);
  return [
    ['Status', `${runStatus(s)}    epoch ${s.epoch}    generated ${n(s.generated)}    committed ${n(s.committed)}`],
    ['Throughput', `${n(driver.executedPerSecond)} executed/s  ${sparkline(history)}`],
    ['In flight', `${driver.inFlight} / limit ${driver.maxConcurrentExecutions}    backlog ${n(driver.backlogSize)}`],
    ['Latency', `p50 ${ms(driver.latencyMs.p50)}   p95 ${ms(driver.latencyMs.p95)}   p99 ${ms(driver.latencyMs.p99)}`],
    ['Executed', `${n(driver.outcomes.executed)}    retried ${n(driver.outcomes.retries)}    failed ${n(failed)} (resubmitted ${n(s.resubmitted)})`],
    ['Skipped', counts(driver.outcomes.skipped)],
    ['Failed', counts(driver.outcomes.failed)],
    ['Manager', `pending ${n(s.manager.pending)} · executing ${n(s.manager.executing)} · missing objects ${n(s.manager.missingObjects)}`],
    ['Refused', `${counts(s.refused)}    waiting to retry ${n(s.retrying)}`],
    ['Why', refusalReason(s)],
    ['Handed back', `${counts(s.handedBack)}    (waited for objects not created yet; resubmitted)`],
    ['Deduped', counts(s.deduped)],
    // One row for the committee and its signatures' verification: 80×24 has no room for another.
    ['Committee', `${n(s.committee.size)} validators, quorum ${n(s.committee.quorumThreshold)} · ${verificationRow(s.verification)}`],
    ['Dials', dials(s)],
    ['Store', storeRow(s.store)],
  ];
}

/** Signature verification: throughput first, then how busy the pool is (`QuorumVerifierPool.stats`), then the rest. */
export function verificationRow(v: VerificationView): string {
  if (!v.enabled) return 'BLS certificates, pre-verified (--verify: on the worker pool)';
  return (
    `verified ${n(v.verifiedPerSecond)}/s · pool ${v.workers} workers ${percent(v.busy)} busy · batches queued ${n(v.queuedBatches)}, in flight ${n(v.inFlightBatches)}` +
    ` · pending ${n(v.pending)} · duplicates ${n(v.duplicates)} · refused ${n(v.refused)} · crashes ${n(v.crashes)}`
  );
}

function dials(s: SimulationSnapshot): string {
  const failures = s.store.kind === 'memory' ? `failures ${percent(s.failureRate)} · transient ${percent(s.transientRate)}` : 'no injected failures (durable)';
  return `rate ${n(s.ratePerSecond)}/s · contention ${percent(s.contention)} · ${failures}`;
}

/** One progress line, for runs without a terminal. */
export function progressLine(s: SimulationSnapshot, elapsedSeconds: number): string {
  const { driver } = s;
  return (
    `[${String(Math.round(elapsedSeconds)).padStart(3)}s] committed ${n(s.committed)}/${n(s.generated)}` +
    ` · ${n(driver.executedPerSecond)}/s · in flight ${driver.inFlight}/${driver.maxConcurrentExecutions}` +
    ` · backlog ${n(driver.backlogSize)} · pending ${n(s.manager.pending)} · p99 ${ms(driver.latencyMs.p99)}` +
    ` · retries ${n(driver.outcomes.retries)} · refused ${n(Object.values(s.refused).reduce((a, b) => a + b, 0))}` +
    (s.verification.enabled ? ` · verified ${n(s.verification.verifiedPerSecond)}/s, pool ${percent(s.verification.busy)} busy` : '') +
    (s.store.kind === 'lmdb' ? ` · db ${mebibytes(s.store.bytesOnDisk)}, last commit ${s.store.lastCommitIndex === undefined ? '-' : n(s.store.lastCommitIndex)}` : '')
  );
}
