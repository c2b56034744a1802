import { Registry } from 'prom-client';
import { type Observable, Subject, map } from 'rxjs';
import winston from 'winston';
import { ExecutionDriverMetrics, type ExecutionOutcome, type PeriodicSnapshot, type RunSummary, type StopMode } from '../../lib';
import {
  type AdmissionLimits,
  type CertifiedTransaction,
  CommitOrderError,
  type EnqueueResult,
  LmdbObjectStore,
  type OverloadLimit,
  OverloadedError,
  PipelineStoppedError,
  TransactionManagerMetrics,
  VerifierCrashedError,
  type ValidatorPipeline,
  WorkloadGenerator,
  seededRandom,
  startValidatorPipeline,
} from '../../lib/validator';
import { ChaosStore } from './chaos-store';

/** Knobs of a {@link Simulation}. Every one has a demo-friendly default. */
export interface SimulationOptions {
  readonly seed?: number;
  /** Validators in the committee, of equal stake, BLS keys derived from the seed (default 4). */
  readonly committeeSize?: number;
  readonly accounts?: number;
  readonly maxConcurrentExecutions?: number;
  /** Transactions generated per second. */
  readonly ratePerSecond?: number;
  readonly contention?: number;
  readonly invalidShare?: number;
  readonly failureRate?: number;
  readonly transientRate?: number;
  /** Store read latency, uniform in [0, maxLatencyMs). */
  readonly maxLatencyMs?: number;
  /** Admission limits; small by default, so a burst shows refusals. */
  readonly limits?: AdmissionLimits;
  /** Where metrics go; a fresh registry by default. */
  readonly registry?: Registry;
  /** Snapshot period in ms (default 1,000). */
  readonly snapshotMs?: number;
  /**
   * Accounts merge the coins they received once they hold this many (default
   * 4, so live objects stay bounded); `null`: never merge, transfers only.
   */
  readonly mergeReceivedCoins?: number | null;
  /**
   * Run durable on a new LMDB database at this path (fsync on), instead of
   * the in-memory store. There are no injected store failures then: they are
   * the in-memory store's dials.
   */
  readonly database?: string;
  /**
   * Verify every certificate's BLS quorum signature, on the pipeline's
   * worker pool (default false: pre-verified). The workload then signs each
   * certificate as it generates it, on this thread (one BLS signature, about
   * 0.6 ms): that, not the verification, caps the rate the demo can feed.
   */
  readonly verifySignatures?: boolean;
  /** The verifier pool's worker threads, with `verifySignatures` (default: one per core). */
  readonly verifierWorkers?: number;
  /**
   * Move to the next epoch on its own once this many transactions committed
   * in the epoch (default 200,000; Infinity: only when asked). The store
   * keeps a marker of every transaction executed in the epoch (so none runs
   * twice, whatever its retention pruned), about 116 B each, dropped at the
   * epoch change: a demo left running keeps a bounded heap.
   */
  readonly epochTransactions?: number;
}

/** Signature verification as the dashboards show it. */
export type VerificationView =
  | { readonly enabled: false }
  | {
      readonly enabled: true;
      /** Certificates whose signature verified per second, over the last period. */
      readonly verifiedPerSecond: number;
      readonly verified: number;
      /** Of those, verified once for an identical certificate and not again. */
      readonly duplicates: number;
      readonly refused: number;
      readonly unverified: number;
      /** Certificates being verified now. */
      readonly pending: number;
      /** The pool: live workers, their busy share over the last period (0 to 1), batches queued and in flight, crashes. */
      readonly workers: number;
      readonly busy: number;
      readonly queuedBatches: number;
      readonly inFlightBatches: number;
      readonly crashes: number;
    };

/** The `database` given already holds a run: a demo starts from its genesis, so it takes a new database. */
export class DatabaseInUseError extends Error {
  constructor(readonly path: string) {
    super(`the database at ${path} already holds a run: give a path that does not exist yet`);
  }
}

/** Where the pipeline keeps its state, as the dashboards show it. */
export type StoreView =
  | { readonly kind: 'memory' }
  | {
      readonly kind: 'lmdb';
      readonly path: string;
      /** The database file's size on disk. */
      readonly bytesOnDisk: number;
      /** The last consensus commit index it recorded. */
      readonly lastCommitIndex: number | undefined;
      /** Certificates accepted and not executed, on disk. */
      readonly pending: number;
    };

/** What the feeder is doing. */
export type FeedState = 'running' | 'paused' | 'epoch-change' | 'finished' | 'stopped';

/** A stop asked for: how, and whether the driver has settled. */
export interface StopState {
  readonly mode: StopMode;
  readonly settled: boolean;
}

/** Everything a dashboard shows, once per period. */
export interface SimulationSnapshot {
  readonly driver: PeriodicSnapshot;
  readonly epoch: number;
  /** The epoch's committee: its members, and the stake a certificate's signers must hold. */
  readonly committee: { readonly size: number; readonly quorumThreshold: number };
  readonly feed: FeedState;
  readonly ratePerSecond: number;
  readonly contention: number;
  readonly failureRate: number;
  readonly transientRate: number;
  /** Transactions generated and handed to the pipeline (resubmissions not counted). */
  readonly generated: number;
  /** Transactions committed. */
  readonly committed: number;
  /** Certificates waiting to be submitted again (refused, or failed). */
  readonly retrying: number;
  /** Submission calls refused by admission control, by limit. */
  readonly refused: Readonly<Record<OverloadLimit, number>>;
  /** Why the latest refusal happened (the limit and what passed it), if any. */
  readonly lastRefusal: string | undefined;
  /** Set once a stop was asked for. */
  readonly stop: StopState | undefined;
  /** Certificates accepted, then handed back by admission control (and resubmitted), by limit. */
  readonly handedBack: Readonly<Record<'awaiting-creation' | 'awaiting-creation-age' | 'past-limit-age', number>>;
  /** Certificates the manager accepted (`pending` or `ready`), resubmissions included. */
  readonly accepted: number;
  /** Certificates the manager turned away, by reason (duplicates, stale epoch). */
  readonly deduped: Readonly<Record<Exclude<EnqueueResult, 'pending' | 'ready'>, number>>;
  /** Failed executions sent again. */
  readonly resubmitted: number;
  readonly manager: { readonly pending: number; readonly executing: number; readonly missingObjects: number };
  /** Recent notable events, newest last. */
  readonly events: readonly string[];
  readonly store: StoreView;
  readonly verification: VerificationView;
}

const DEFAULTS = {
  seed: 7,
  committeeSize: 4,
  accounts: 1_000,
  maxConcurrentExecutions: 16,
  ratePerSecond: 2_000,
  contention: 0.1,
  invalidShare: 0.02,
  failureRate: 0,
  transientRate: 0,
  maxLatencyMs: 2,
  limits: { maxPendingAndExecuting: 10_000, maxPerObjectQueue: 2_000, maxQueueAgeMs: 1_000 },
  snapshotMs: 1_000,
  epochTransactions: 200_000,
} as const;

const TICK_MS = 50;
/**
 * The rate climbs to the dial over the first seconds: a cold process (JIT,
 * first allocations) executes at a fraction of its warm speed, and the full
 * rate at once made queues older than the queue-age limit, so the first
 * second showed refusals that had nothing to do with the dials.
 */
export const WARM_UP_MS = 3_000;
const MAX_RETRY_CHUNK = 500;
const RESUBMIT_FAILED_MS = 300;

/**
 * The whole validator pipeline under a steady, seeded workload, with dials
 * the dashboards turn: concurrency, failure and transient-error rates,
 * contention, bursts, duplicates, epoch changes, pause, stop. Refused
 * submissions are retried after a pause, and failed executions sent again, as
 * a client and the network would; nothing is lost.
 */
export class Simulation {
  readonly registry: Registry;
  readonly snapshots$: Observable<SimulationSnapshot>;
  feed: FeedState = 'running';
  ratePerSecond: number;
  private readonly refused: Record<OverloadLimit, number> = {
    'pending-and-executing': 0,
    'per-object-queue': 0,
    'queue-age': 0,
    'awaiting-creation': 0,
    'awaiting-creation-age': 0,
    'past-limit': 0,
    'past-limit-age': 0,
    'pending-verification': 0,
  };
  private readonly handedBack = { 'awaiting-creation': 0, 'awaiting-creation-age': 0, 'past-limit-age': 0 };
  private accepted = 0;
  private readonly deduped = { 'already-executed': 0, 'already-pending': 0, 'already-executing': 0, 'wrong-epoch': 0, 'handed-back': 0 };
  private resubmitted = 0;
  private committed = 0;
  /** Committed since the epoch began: at `epochTransactions`, the next epoch. */
  private committedInEpoch = 0;
  private readonly epochTransactions: number;
  private commitIndex = 0;
  private carry = 0;
  private timers = new Set<NodeJS.Timeout>();
  private readonly recentEvents: string[] = [];
  private readonly eventSubject = new Subject<string>();
  /** Each notable event as it happens (a UI redraws on it, between periodic snapshots). */
  readonly events$: Observable<string> = this.eventSubject.asObservable();
  private backingOff = false;
  /** Refused or failed certificates, oldest first, waiting to be submitted again. */
  private readonly retryQueue: CertifiedTransaction[] = [];
  private retryChunk = MAX_RETRY_CHUNK;
  private retrying = false;
  /** Consensus commits refused for a reason a retry may pass (an overload), lowest index first: delivered again, as consensus does. */
  private readonly refusedCommits: { index: number; certificates: CertifiedTransaction[] }[] = [];
  private readonly recent: CertifiedTransaction[] = [];
  private readonly ticker: NodeJS.Timeout;
  private lastPeriodic: PeriodicSnapshot | undefined;
  private lastRefusal: string | undefined;
  private stopState: StopState | undefined;
  private readonly startedAt = performance.now();
  private finishTarget: number | undefined;
  private finished: (() => void) | undefined;
  /** The verifier's counts at the last period, and when: the rates are over the period. */
  private lastVerification: { readonly at: number; readonly verified: number; readonly busyMs: number; verifiedPerSecond: number; busy: number } | undefined;
  /** The last store view: a closed database reads nothing more, so its figures stay as they were. */
  private lastStore: StoreView | undefined;
  private databaseClosed = false;

  private constructor(
    readonly pipeline: ValidatorPipeline,
    readonly generator: WorkloadGenerator,
    /** The in-memory store with its failure dials; undefined when running durable. */
    private readonly chaos: ChaosStore | undefined,
    options: Required<Pick<SimulationOptions, 'ratePerSecond' | 'snapshotMs' | 'epochTransactions'>>,
  ) {
    this.epochTransactions = options.epochTransactions;
    this.registry = (pipeline.driver.metrics as ExecutionDriverMetrics).registry;
    this.ratePerSecond = options.ratePerSecond;
    pipeline.state.committed$.subscribe(({ certificate }) => {
      this.committed++;
      if (++this.committedInEpoch >= this.epochTransactions && this.feed === 'running') {
        this.changeEpoch().catch((error: unknown) => this.event(`epoch change failed: ${String(error)}`));
      }
      this.recent.push(certificate);
      if (this.recent.length > 200) this.recent.shift();
      this.checkFinished();
    });
    pipeline.outcomes$.subscribe((outcome) => this.onOutcome(outcome));
    // A certificate handed back is the client's again: it resubmits it, as a refused one.
    pipeline.handedBack$.subscribe(({ certificate, error }) => {
      if (error.limit === 'awaiting-creation' || error.limit === 'awaiting-creation-age' || error.limit === 'past-limit-age') this.handedBack[error.limit]++;
      if (this.feed !== 'stopped') this.retryQueue.push(certificate);
    });
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.snapshots$ = pipeline.driver.snapshots(options.snapshotMs).pipe(
      map((driver) => {
        this.lastPeriodic = driver;
        this.sampleVerification();
        return this.snapshot(driver);
      }),
    );
  }

  static async start(options: SimulationOptions = {}): Promise<Simulation> {
    const o = { ...DEFAULTS, ...options };
    const random = seededRandom(o.seed + 1);
    // Accounts merge the coins they receive, so live objects stay bounded however long it runs.
    const merge = options.mergeReceivedCoins === undefined ? 4 : options.mergeReceivedCoins;
    const generator = new WorkloadGenerator({
      seed: o.seed,
      stakes: Array.from({ length: o.committeeSize }, () => 1),
      accounts: o.accounts,
      contention: o.contention,
      invalidShare: o.invalidShare,
      hotCounters: 4,
      sign: options.verifySignatures === true,
      ...(merge === null ? {} : { mergeReceivedCoins: merge }),
    });
    const database = options.database === undefined ? undefined : openNewDatabase(options.database);
    const chaos = database ? undefined : new ChaosStore(random, o.maxLatencyMs);
    const registry = options.registry ?? new Registry();
    try {
      const pipeline = await startValidatorPipeline({
        committee: generator.committee,
        genesis: generator.genesis,
        ...(database ? { database } : chaos ? { store: chaos } : {}),
        // Without --verify, pre-verified: signing thousands a second on this thread would be the whole demo.
        verifySignatures: options.verifySignatures === true,
        ...(options.verifierWorkers === undefined ? {} : { verification: { workers: options.verifierWorkers } }),
        maxConcurrentExecutions: o.maxConcurrentExecutions,
        limits: o.limits,
        metrics: new ExecutionDriverMetrics(registry),
        managerMetrics: new TransactionManagerMetrics(registry),
        retry: { maxAttempts: 8, initialDelayMs: 5, maxDelayMs: 100 },
        logger: winston.createLogger({ silent: true }),
      });
      // The dials apply once the pipeline has started: genesis is written without faults (a failed genesis commit
      // was a crash at start-up for about 7 % of seeds).
      if (chaos) {
        chaos.failureRate = o.failureRate;
        chaos.transientRate = o.transientRate;
      }
      return new Simulation(pipeline, generator, chaos, o);
    } catch (error) {
      await database?.close();
      throw error;
    }
  }

  /** Share of store commits that fail for good (0 when running durable). */
  get failureRate(): number {
    return this.chaos?.failureRate ?? 0;
  }

  /** Share of store commits that fail transiently (0 when running durable). */
  get transientRate(): number {
    return this.chaos?.transientRate ?? 0;
  }

  /** A snapshot now (rates from the last periodic one): a UI redraws at once after a key. */
  current(): SimulationSnapshot {
    const rates = { executedPerSecond: this.lastPeriodic?.executedPerSecond ?? 0, outcomesPerSecond: this.lastPeriodic?.outcomesPerSecond ?? 0 };
    return this.snapshot({ ...this.pipeline.driver.snapshot(), ...rates });
  }

  /** Generate `count` transactions at once, past the rate. */
  burst(count: number): void {
    this.event(`burst of ${count.toLocaleString('en-US')} transactions`);
    this.submitSteps(this.generator.next(count));
  }

  /** Send `count` recently committed certificates again: the manager must turn them away. */
  injectDuplicates(count = 50): void {
    const copies = this.recent.slice(-count);
    this.event(`${copies.length} duplicates sent`);
    void this.submitOwned(copies.filter((c) => !isShared(c)));
  }

  setContention(share: number): void {
    this.generator.contention = clamp(share);
    this.event(`contention ${percent(this.generator.contention)}`);
  }

  setFailureRate(share: number): void {
    if (!this.chaos) { this.noInjectedFailures(); return; }
    this.chaos.failureRate = clamp(share);
    this.event(`failure rate ${percent(this.chaos.failureRate)}`);
  }

  setTransientRate(share: number): void {
    if (!this.chaos) { this.noInjectedFailures(); return; }
    this.chaos.transientRate = clamp(share);
    this.event(`transient-error rate ${percent(this.chaos.transientRate)}`);
  }

  setConcurrency(limit: number): void {
    const bounded = Math.max(1, Math.min(1024, Math.round(limit)));
    this.pipeline.driver.setMaxConcurrentExecutions(bounded);
    this.event(`concurrency limit ${bounded}`);
  }

  togglePause(): void {
    const { driver } = this.pipeline;
    if (driver.paused) driver.resume();
    else driver.pause();
    this.event(driver.paused ? 'execution paused' : 'execution resumed');
  }

  /**
   * Move to the next epoch as a validator does: stop generating, let
   * everything pending drain, reconfigure, then show that certificates of
   * the old epoch are refused, and carry on.
   */
  async changeEpoch(): Promise<void> {
    if (this.feed !== 'running') return;
    this.feed = 'epoch-change';
    this.committedInEpoch = 0;
    const from = this.generator.committee.epoch;
    const { manager, driver } = this.pipeline;
    this.event(`epoch change: draining epoch ${from} (${manager.counts.pending + manager.counts.executing} in the manager, ${driver.inFlight} in flight)`);
    const draining = performance.now();
    while (!this.idle()) await new Promise((resolve) => setTimeout(resolve, 5));
    this.event(`epoch ${from} drained in ${Math.round(performance.now() - draining)} ms; reconfiguring`);
    const stale = this.recent.filter((c) => !isShared(c)).slice(-20);
    this.generator.advanceEpoch(from + 1);
    await this.pipeline.reconfigure(this.generator.committee);
    const results = await this.pipeline.submit(stale);
    this.count(results);
    this.event(`epoch ${from + 1}: ${results.filter((r) => r === 'wrong-epoch').length} certificates of epoch ${from} refused`);
    // A stop may have come while draining.
    if ((this.feed as FeedState) === 'epoch-change') this.feed = 'running';
  }

  /** Generate exactly `total` transactions (at the rate), then resolve once all have committed. */
  runFixed(total: number): Promise<void> {
    this.finishTarget = total;
    if (this.feed === 'finished') this.feed = 'running';
    return new Promise((resolve) => {
      this.finished = resolve;
      this.checkFinished();
    });
  }

  /** Stop generating and stop the driver, draining or aborting what runs. */
  async stop(mode: StopMode = 'drain'): Promise<RunSummary> {
    this.feed = 'stopped';
    this.stopState = { mode, settled: false };
    clearInterval(this.ticker);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.event(`stopping (${mode})`);
    const summary = await this.pipeline.stop({ mode });
    this.lastStore = this.storeView();
    this.databaseClosed = true; // from now on the dashboards show the figures it had
    await this.pipeline.database?.close();
    this.stopState = { mode, settled: true };
    this.event(`stopped (${mode}): ${summary.unstarted.length.toLocaleString('en-US')} received certificates handed back unstarted`);
    return summary;
  }

  /**
   * Take `chunk` out of the retry queue, wherever it now is: while its call
   * was being verified, a failed certificate may have been put at the front,
   * and removing the first `chunk.length` lost that one (its dependants then
   * waited for good) and kept one of the chunk.
   */
  private takeFromRetryQueue(chunk: readonly CertifiedTransaction[]): CertifiedTransaction[] {
    const taken = new Set(chunk);
    let kept = 0;
    for (const certificate of this.retryQueue) if (!taken.has(certificate)) this.retryQueue[kept++] = certificate;
    this.retryQueue.length = kept;
    return [...chunk];
  }

  /** A call still being verified when the run stopped is refused (`PipelineStoppedError`): the run is over, nothing to retry. */
  private stoppedUnder(error: unknown): boolean {
    return error instanceof PipelineStoppedError && this.feed === 'stopped';
  }

  /** Verification rates over the period that just ended. */
  private sampleVerification(): void {
    const stats = this.pipeline.verificationStats();
    if (!stats) return;
    const at = performance.now();
    const busyMs = stats.pool?.busyMs ?? 0;
    const previous = this.lastVerification;
    const seconds = previous ? (at - previous.at) / 1000 : 0;
    const workers = Math.max(1, stats.pool?.workers ?? 1);
    this.lastVerification = {
      at,
      verified: stats.verified,
      busyMs,
      verifiedPerSecond: previous && seconds > 0 ? (stats.verified - previous.verified) / seconds : 0,
      busy: previous && seconds > 0 ? Math.min(1, (busyMs - previous.busyMs) / (seconds * 1000 * workers)) : 0,
    };
  }

  private verificationView(): VerificationView {
    const stats = this.pipeline.verificationStats();
    if (!stats) return { enabled: false };
    const { verified, duplicates, refused, unverified, pending, pool } = stats;
    return {
      enabled: true,
      verifiedPerSecond: this.lastVerification?.verifiedPerSecond ?? 0,
      verified,
      duplicates,
      refused,
      unverified,
      pending,
      workers: pool?.workers ?? 0,
      busy: this.lastVerification?.busy ?? 0,
      queuedBatches: pool?.queuedBatches ?? 0,
      inFlightBatches: pool?.inFlightBatches ?? 0,
      crashes: pool?.crashes ?? 0,
    };
  }

  private noInjectedFailures(): void {
    this.event('no injected store failures when durable: the store is LMDB');
  }

  /** What the store is, and for a durable one its size on disk, last commit index and pending certificates. */
  private storeView(): StoreView {
    const database = this.pipeline.database;
    // The demo opens LMDB from a path; another durable store (the simulator's) has no file to measure.
    if (!(database instanceof LmdbObjectStore)) return { kind: 'memory' };
    if (this.databaseClosed && this.lastStore) return this.lastStore;
    return {
      kind: 'lmdb',
      path: database.path,
      bytesOnDisk: database.sizeOnDisk(),
      lastCommitIndex: database.epochTables.lastCommitIndex(),
      pending: database.epochTables.pendingCount(),
    };
  }

  private tick(): void {
    if (this.feed === 'stopped') return;
    // Refused commits first, in index order: the validator takes no later commit before them.
    for (const { index, certificates } of this.refusedCommits.splice(0)) this.sendCommit(index, certificates);
    if (this.retryQueue.length > 0) {
      void this.retryOldest();
      return;
    }
    if (this.feed !== 'running') return;
    let count = (warmUpRate(this.ratePerSecond, performance.now() - this.startedAt) * TICK_MS) / 1000 + this.carry;
    if (this.finishTarget !== undefined) count = Math.min(count, this.finishTarget - this.generator.generated);
    const whole = Math.floor(count);
    this.carry = count - whole;
    if (whole > 0) this.submitSteps(this.generator.next(whole));
    if (this.finishTarget !== undefined && this.generator.generated >= this.finishTarget) this.feed = 'finished';
  }

  private submitSteps(steps: readonly { certificate: CertifiedTransaction; shared: boolean }[]): void {
    const owned = steps.filter((s) => !s.shared).map((s) => s.certificate);
    const shared = steps.filter((s) => s.shared).map((s) => s.certificate);
    // Shared-object certificates in one consensus commit, in generation order.
    if (shared.length > 0) this.sendCommit(this.commitIndex++, shared);
    for (let i = 0; i < owned.length; i += 1_000) void this.submitOwned(owned.slice(i, i + 1_000));
  }

  private sendCommit(index: number, certificates: CertifiedTransaction[]): void {
    this.pipeline.commit({ digest: `commit-${index}`, index, certificates }).then(
      (results) => this.count(results),
      (error: unknown) => {
        if (this.stoppedUnder(error)) return;
        // Refused for a reason a retry may pass, or held back behind such a one: delivered again at the next tick.
        const again = error instanceof OverloadedError || error instanceof VerifierCrashedError || (error instanceof CommitOrderError && error.problem === 'after-failed-commit');
        if (again) {
          this.refusedCommits.push({ index, certificates });
          this.refusedCommits.sort((a, b) => a.index - b.index);
          if (error instanceof OverloadedError) this.event(`commit ${index} refused (${error.limit}): delivered again`);
          return;
        }
        this.event(`commit ${index} failed: ${String(error)}`);
      },
    );
  }

  private async submitOwned(certificates: readonly CertifiedTransaction[]): Promise<void> {
    if (certificates.length === 0) return;
    try {
      this.count(await this.pipeline.submit(certificates));
    } catch (error) {
      if (this.stoppedUnder(error)) return;
      if (!(error instanceof OverloadedError)) throw error;
      this.refuse(error);
      this.backingOff = true;
      this.event(`refused (${error.limit}): ${certificates.length.toLocaleString('en-US')} certificates wait to be retried`);
      for (const certificate of certificates) this.retryQueue.push(certificate);
    }
  }

  /**
   * Back off as a client does: while refused certificates wait, generate
   * nothing new and retry from the oldest, in calls that halve on each
   * refusal and double on each success; one refused alone goes to the back of
   * the queue. Certificates that the manager's queue waits for are always
   * admitted, so the small calls get them in.
   */
  private async retryOldest(): Promise<void> {
    if (this.retrying) return;
    this.retrying = true;
    const chunk = this.retryQueue.slice(0, this.retryChunk);
    try {
      this.count(await this.pipeline.submit(chunk));
      this.takeFromRetryQueue(chunk);
      this.retryChunk = Math.min(MAX_RETRY_CHUNK, this.retryChunk * 2);
      if (this.retryQueue.length === 0 && this.backingOff) {
        this.backingOff = false;
        this.event('refused certificates all accepted: back to the generation rate');
      }
    } catch (error) {
      if (this.stoppedUnder(error)) return;
      if (!(error instanceof OverloadedError)) throw error;
      this.refuse(error);
      // One refused alone goes to the back: what it waits behind may be further down the queue.
      if (chunk.length === 1) this.retryQueue.push(...this.takeFromRetryQueue(chunk));
      this.retryChunk = Math.max(1, Math.floor(this.retryChunk / 2));
    } finally {
      this.retrying = false;
    }
  }

  private onOutcome(outcome: ExecutionOutcome): void {
    if (outcome.kind !== 'failed' || this.feed === 'stopped') return;
    const certificate = outcome.pending.certificate as CertifiedTransaction;
    if (isShared(certificate)) return;
    // The network would deliver the certificate again; so does the simulation. At the front:
    // it executed once, so nothing it needs waits, and certificates refused since may spend its
    // outputs. Behind them, it would wait behind a head the manager refuses until it runs: a livelock.
    this.resubmitted++;
    this.later(() => this.retryQueue.unshift(certificate), RESUBMIT_FAILED_MS);
  }

  private refuse(error: OverloadedError): void {
    this.refused[error.limit]++;
    this.lastRefusal = `${error.limit}: ${error.detail}`;
  }

  private count(results: readonly EnqueueResult[]): void {
    for (const result of results) {
      if (result === 'pending' || result === 'ready') this.accepted++;
      else this.deduped[result]++;
    }
  }

  private later(run: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  private idle(): boolean {
    const { manager, driver } = this.pipeline;
    return manager.counts.pending === 0 && manager.counts.executing === 0 && driver.inFlight === 0 && driver.backlogSize === 0 && this.timers.size === 0 && this.retryQueue.length === 0;
  }

  private checkFinished(): void {
    if (this.finished && this.finishTarget !== undefined && this.committed >= this.finishTarget) {
      this.finished();
      this.finished = undefined;
    }
  }

  private event(text: string): void {
    this.recentEvents.push(text);
    if (this.recentEvents.length > 6) this.recentEvents.shift();
    this.eventSubject.next(text);
  }

  private snapshot(driver: PeriodicSnapshot): SimulationSnapshot {
    return {
      driver,
      epoch: this.generator.committee.epoch,
      committee: { size: this.generator.committee.size, quorumThreshold: this.generator.committee.quorumThreshold },
      feed: this.feed,
      ratePerSecond: this.ratePerSecond,
      contention: this.generator.contention,
      failureRate: this.failureRate,
      transientRate: this.transientRate,
      generated: this.generator.generated,
      committed: this.committed,
      refused: { ...this.refused },
      lastRefusal: this.lastRefusal,
      stop: this.stopState,
      handedBack: { ...this.handedBack },
      accepted: this.accepted,
      deduped: { ...this.deduped },
      resubmitted: this.resubmitted,
      retrying: this.retryQueue.length,
      manager: this.pipeline.manager.counts,
      events: [...this.recentEvents],
      store: (this.lastStore = this.storeView()),
      verification: this.verificationView(),
    };
  }
}

/**
 * Open the new database a durable demo runs on.
 * @throws DatabaseInUseError if it already holds a run; StoreOpenError if it cannot be used.
 */
function openNewDatabase(path: string): LmdbObjectStore {
  const database = LmdbObjectStore.open({ path });
  if (database.executedCount() > 0 || database.epochTables.pendingCount() > 0) {
    void database.close();
    throw new DatabaseInUseError(path);
  }
  return database;
}

/** The generation rate `elapsedMs` after the start: from a quarter of `rate` up to it over {@link WARM_UP_MS}. */
export function warmUpRate(rate: number, elapsedMs: number): number {
  const share = Math.min(1, 0.25 + (0.75 * Math.max(0, elapsedMs)) / WARM_UP_MS);
  return rate * share;
}

function isShared(certificate: CertifiedTransaction): boolean {
  return certificate.data.inputs.some((input) => input.kind === 'shared');
}

function clamp(share: number): number {
  return Math.max(0, Math.min(0.9, Math.round(share * 100) / 100));
}

export function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}
