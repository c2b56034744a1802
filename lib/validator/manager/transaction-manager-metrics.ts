import { Counter, Histogram, Registry } from 'prom-client';
import { liveGauge } from '../../live-gauge';
import type { AdmissionLoad, EnqueueResult, HandBackReason, TransactionManagerCounts } from './transaction-manager-types';

/** What the gauges read at scrape time. */
export interface TransactionManagerGauges {
  readonly counts: () => TransactionManagerCounts;
  /** Certificates released to the driver and still waiting for an execution slot. */
  readonly readyBacklog: () => number;
  /** Certificates held per admission budget. */
  readonly load?: () => AdmissionLoad;
}

const AGE_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The TransactionManager's Prometheus metrics, on `registry` (a fresh one by default). */
export class TransactionManagerMetrics {
  readonly registry: Registry;
  /** `transaction_manager_enqueued_total{result}`. */
  readonly enqueued: Counter<'result'>;
  /** `transaction_manager_queue_age_seconds`: from enqueue to release to the driver. */
  readonly queueAge: Histogram;
  /**
   * `transaction_manager_handed_back_total{reason}`: certificates accepted and
   * then let go unexecuted, handed back to the caller (`awaiting-creation`,
   * `awaiting-creation-age`, `past-limit`, `past-limit-age`, `stopped`, `stale-epoch`).
   */
  readonly handedBack: Counter<'reason'>;
  /** Where the gauges read from; set by `track`. */
  private readonly live: { source?: TransactionManagerGauges } = {};

  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.enqueued = new Counter({
      name: 'transaction_manager_enqueued_total',
      help: 'Certificates offered to the TransactionManager, by result',
      labelNames: ['result'],
      registers,
    });
    for (const result of ['pending', 'ready', 'already-executed', 'already-pending', 'already-executing', 'wrong-epoch', 'handed-back'] satisfies EnqueueResult[]) {
      this.enqueued.inc({ result }, 0);
    }
    this.handedBack = new Counter({
      name: 'transaction_manager_handed_back_total',
      help: 'Certificates accepted, then handed back unexecuted, by reason',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of ['awaiting-creation', 'awaiting-creation-age', 'past-limit', 'past-limit-age', 'stopped', 'stale-epoch'] satisfies HandBackReason[]) {
      this.handedBack.inc({ reason }, 0);
    }
    this.queueAge = new Histogram({
      name: 'transaction_manager_queue_age_seconds',
      help: 'Time a certificate waited for its inputs, from enqueue to release',
      buckets: AGE_BUCKETS,
      registers,
    });
    // Gauges are read from the live manager at scrape time: no work per certificate.
    const gauge = (name: string, help: string, read: (source: TransactionManagerGauges) => number) =>
      liveGauge(registry, name, help, () => (this.live.source ? read(this.live.source) : 0));
    gauge('transaction_manager_pending', 'Certificates waiting for input objects', (s) => s.counts().pending);
    gauge('transaction_manager_executing', 'Certificates released and not yet committed', (s) => s.counts().executing);
    gauge('transaction_manager_missing_objects', 'Distinct object versions certificates are waiting for', (s) => s.counts().missingObjects);
    gauge('transaction_manager_awaiting_creation', 'Certificates waiting for objects that do not exist yet, in their own budget', (s) => s.load?.().awaitingCreation ?? 0);
    gauge('transaction_manager_ready_backlog', 'Certificates released to the driver, waiting for an execution slot', (s) => s.readyBacklog());
  }

  /** Read the gauges from `source` from now on. */
  track(source: TransactionManagerGauges): void {
    this.live.source = source;
  }
}
