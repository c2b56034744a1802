import { type Observable, Subject } from 'rxjs';
import type { PendingCertificate } from '../certificate';
import type { ExecutionOutcome } from '../outcomes';
import type { CertifiedTransaction } from './certified-transaction';
import { ConsensusRequiredError, OverloadedError } from './errors';
import type { Digest, ObjectId } from './objects';
import type { ReferenceAuthorityState } from './reference-authority-state';
import type { TransactionManagerMetrics } from './transaction-manager-metrics';

/** What the manager needs of the state: its store, its commits, and the epoch store. */
export type TransactionManagerState = Pick<ReferenceAuthorityState, 'store' | 'committed$' | 'loadEpochStoreOneCallPerTask'>;

/** Admission limits, as Sui's overload protection. */
export interface AdmissionLimits {
  /** Certificates pending (waiting for inputs) plus executing, at most. Default 100,000. */
  readonly maxPendingAndExecuting?: number;
  /** Certificates waiting on any one object, at most. Default 2,000. */
  readonly maxPerObjectQueue?: number;
  /** Oldest certificate waiting on an object, at most this old (ms). Default 1,000. */
  readonly maxQueueAgeMs?: number;
}

export const DEFAULT_ADMISSION_LIMITS: Required<AdmissionLimits> = {
  maxPendingAndExecuting: 100_000,
  maxPerObjectQueue: 2_000,
  maxQueueAgeMs: 1_000,
};

/** Options of {@link TransactionManager}. */
export interface TransactionManagerOptions {
  readonly limits?: AdmissionLimits;
  readonly metrics?: TransactionManagerMetrics;
  /** Certificates released and waiting in the driver, for the ready-backlog gauge. */
  readonly readyBacklog?: () => number;
  /** Clock in ms, for queue ages. Default `performance.now()`. */
  readonly now?: () => number;
}

/** What `enqueue` did with one certificate. */
export type EnqueueResult = 'pending' | 'ready' | 'already-executed' | 'already-pending' | 'already-executing' | 'wrong-epoch';

/** A consensus commit: an ordered batch of certificates that touch shared objects. */
export interface ConsensusCommit {
  readonly digest: string;
  readonly index: number;
  readonly certificates: readonly CertifiedTransaction[];
}

interface PendingEntry {
  readonly certificate: CertifiedTransaction;
  readonly commit: { readonly digest: string; readonly index: number } | undefined;
  readonly enqueuedAt: number;
  missing: number;
  readonly objects: readonly ObjectId[];
  /** The versions it waits for, to forget it in O(inputs). */
  readonly waitsOn: { id: ObjectId; version: number }[];
}

/** Live counts, for metrics and tests. */
export interface TransactionManagerCounts {
  readonly pending: number;
  readonly executing: number;
  readonly missingObjects: number;
}

/**
 * Holds certificates until every input object version exists, then pushes
 * them onto `ready$`, the driver's source. Owned and immutable inputs wait
 * for their exact version; shared inputs get their version when a consensus
 * commit orders them, so transactions on the same shared object execute in
 * commit order while independent ones run in parallel.
 */
export class TransactionManager {
  private readonly readySubject = new Subject<PendingCertificate>();
  /** Certificates whose inputs are all available, in release order. */
  readonly ready$: Observable<PendingCertificate> = this.readySubject.asObservable();

  private readonly limits: Required<AdmissionLimits>;
  private readonly pending = new Map<Digest, PendingEntry>();
  private readonly executing = new Set<Digest>();
  /** Highest version known to exist, per object. Versions only grow. */
  private readonly available = new Map<ObjectId, number>();
  /** Pending certificates waiting on each version of each object (nested: no string keys to build). */
  private readonly waiters = new Map<ObjectId, Map<number, Digest[]>>();
  private waitedVersions = 0;
  /** Pending certificates per object, in arrival order (the first is the oldest). */
  private readonly queues = new Map<ObjectId, Map<Digest, number>>();
  /** Next version to assign per shared object. */
  private readonly nextSharedVersion = new Map<ObjectId, number>();
  private commits: Promise<unknown> = Promise.resolve();
  /** Counts of `enqueue` results, by result. */
  readonly enqueued: Record<EnqueueResult, number> = {
    pending: 0,
    ready: 0,
    'already-executed': 0,
    'already-pending': 0,
    'already-executing': 0,
    'wrong-epoch': 0,
  };

  private readonly now: () => number;
  private readonly metrics: TransactionManagerMetrics | undefined;

  constructor(
    private readonly state: TransactionManagerState,
    options: TransactionManagerOptions = {},
  ) {
    this.limits = { ...DEFAULT_ADMISSION_LIMITS, ...options.limits };
    this.now = options.now ?? (() => performance.now());
    this.metrics = options.metrics;
    const readyBacklog = options.readyBacklog ?? (() => 0);
    this.metrics?.track({ counts: () => this.counts, readyBacklog });
    state.committed$.subscribe(({ certificate, written }) => {
      this.executing.delete(certificate.digest);
      for (const ref of written) this.markAvailable(ref.id, ref.version);
    });
  }

  get counts(): TransactionManagerCounts {
    return { pending: this.pending.size, executing: this.executing.size, missingObjects: this.waitedVersions };
  }

  /** The age (ms) of the oldest certificate waiting on `id`, or 0. */
  queueAge(id: ObjectId): number {
    const queue = this.queues.get(id);
    const oldest = queue?.values().next().value;
    return oldest === undefined ? 0 : this.now() - oldest;
  }

  /**
   * Accept certificates of owned and immutable objects only (shared ones come
   * through `commit`, else `ConsensusRequiredError`). All or nothing: over an admission limit, the whole call
   * is refused with `OverloadedError` and nothing of it is kept.
   */
  async enqueue(certificates: readonly CertifiedTransaction[]): Promise<EnqueueResult[]> {
    const shared = certificates.find((c) => c.data.inputs.some((i) => i.kind === 'shared'));
    if (shared) throw new ConsensusRequiredError(shared.digest);
    return this.accept(certificates.map((certificate) => ({ certificate, commit: undefined, shared: new Map() })));
  }

  /**
   * Order a consensus commit: assign each shared input its version in commit
   * order (a mutable use moves the object to the transaction's Lamport
   * version), record the assignments in the epoch store, then enqueue.
   * Commits are processed one at a time, in call order.
   */
  commit(commit: ConsensusCommit): Promise<EnqueueResult[]> {
    const run = this.commits.then(() => this.assignAndAccept(commit));
    this.commits = run.catch(() => undefined);
    return run;
  }

  /**
   * The state has moved to a new epoch: drop every pending certificate of
   * another epoch (it can never execute now) and hand them back, never
   * silently. Call after `ReferenceAuthorityState.reconfigure`.
   */
  dropStaleEpoch(): CertifiedTransaction[] {
    const epoch = this.state.loadEpochStoreOneCallPerTask().epoch;
    const dropped: CertifiedTransaction[] = [];
    for (const entry of [...this.pending.values()]) {
      if (entry.certificate.epoch === epoch) continue;
      dropped.push(entry.certificate);
      this.forget(entry);
    }
    return dropped;
  }

  /** Tell the manager how an execution ended; one that did not commit is no longer executing. */
  notifyOutcome(outcome: ExecutionOutcome): void {
    if (outcome.kind !== 'executed') this.executing.delete(outcome.digest);
  }

  private async assignAndAccept(commit: ConsensusCommit): Promise<EnqueueResult[]> {
    const unknown = new Set<ObjectId>();
    for (const certificate of commit.certificates) {
      for (const input of certificate.data.inputs) {
        if (input.kind === 'shared' && !this.nextSharedVersion.has(input.id)) unknown.add(input.id);
      }
    }
    const ids = [...unknown];
    const latest = await this.state.store.readLatest(ids);
    ids.forEach((id, i) => {
      const object = latest[i];
      if (!this.nextSharedVersion.has(id) && object) this.nextSharedVersion.set(id, object.version);
    });
    const epochStore = this.state.loadEpochStoreOneCallPerTask();
    const entries = commit.certificates.map((certificate) => {
      const shared = new Map<ObjectId, number>();
      let lamport = certificate.data.gas.payment.version;
      for (const input of certificate.data.inputs) {
        if (input.kind === 'shared') {
          const version = this.nextSharedVersion.get(input.id) ?? input.initialSharedVersion;
          shared.set(input.id, version);
          lamport = Math.max(lamport, version);
        } else lamport = Math.max(lamport, input.ref.version);
      }
      lamport += 1;
      for (const input of certificate.data.inputs) {
        if (input.kind === 'shared' && input.mutable) this.nextSharedVersion.set(input.id, lamport);
      }
      if (shared.size > 0) epochStore.assignSharedVersions(certificate.digest, shared);
      return { certificate, commit: { digest: commit.digest, index: commit.index }, shared };
    });
    return this.accept(entries);
  }

  private async accept(
    entries: readonly { certificate: CertifiedTransaction; commit: PendingEntry['commit']; shared: ReadonlyMap<ObjectId, number> }[],
  ): Promise<EnqueueResult[]> {
    this.admit(entries.map((e) => e.certificate));
    const epoch = this.state.loadEpochStoreOneCallPerTask().epoch;
    const results: EnqueueResult[] = [];
    const accepted: { entry: (typeof entries)[number]; index: number; keys: { id: ObjectId; version: number }[] }[] = [];
    for (const [index, entry] of entries.entries()) {
      const { certificate } = entry;
      let result: EnqueueResult | undefined;
      if (certificate.epoch !== epoch) result = 'wrong-epoch';
      else if (this.pending.has(certificate.digest)) result = 'already-pending';
      else if (this.executing.has(certificate.digest)) result = 'already-executing';
      results.push(result ?? 'pending');
      if (result !== undefined) continue;
      const keys = certificate.data.inputs.map((input) =>
        input.kind === 'shared' ? { id: input.id, version: entry.shared.get(input.id) ?? input.initialSharedVersion } : input.ref,
      );
      keys.push(certificate.data.gas.payment);
      // Reserve the digest now, so a copy in the same or a concurrent call is a duplicate.
      this.pending.set(certificate.digest, {
        certificate,
        commit: entry.commit,
        enqueuedAt: this.now(),
        missing: Number.POSITIVE_INFINITY,
        objects: [...new Set(keys.map((k) => k.id))],
        waitsOn: [],
      });
      accepted.push({ entry, index, keys });
    }
    // One round trip to the store for everything not known yet.
    const executed = await Promise.all(accepted.map(({ entry }) => this.state.store.readExecuted(entry.certificate.digest)));
    const unknownIds = [...new Set(accepted.flatMap(({ keys }) => keys.map((k) => k.id)).filter((id) => !this.available.has(id)))];
    const latest = await this.state.store.readLatest(unknownIds);
    unknownIds.forEach((id, i) => {
      const version = latest[i]?.version;
      if (version !== undefined) this.available.set(id, Math.max(version, this.available.get(id) ?? 0));
    });
    for (const [i, { entry, index, keys }] of accepted.entries()) {
      const digest = entry.certificate.digest;
      const pendingEntry = this.pending.get(digest);
      if (!pendingEntry) continue;
      if (executed[i]) {
        this.pending.delete(digest);
        results[index] = 'already-executed';
        continue;
      }
      for (const id of pendingEntry.objects) {
        let queue = this.queues.get(id);
        if (!queue) this.queues.set(id, (queue = new Map<Digest, number>()));
        queue.set(digest, pendingEntry.enqueuedAt);
      }
      let missing = 0;
      for (const key of keys) {
        if ((this.available.get(key.id) ?? -1) >= key.version) continue;
        missing++;
        pendingEntry.waitsOn.push(key);
        let versions = this.waiters.get(key.id);
        if (!versions) this.waiters.set(key.id, (versions = new Map<number, Digest[]>()));
        const list = versions.get(key.version);
        if (list) list.push(digest);
        else {
          versions.set(key.version, [digest]);
          this.waitedVersions++;
        }
      }
      pendingEntry.missing = missing;
      if (missing === 0) {
        results[index] = 'ready';
        this.release(pendingEntry);
      }
    }
    for (const result of results) {
      this.enqueued[result]++;
      this.metrics?.enqueued.inc({ result });
    }
    return results;
  }

  /** Refuse the whole call if accepting it would pass a limit. */
  private admit(certificates: readonly CertifiedTransaction[]): void {
    const { maxPendingAndExecuting, maxPerObjectQueue, maxQueueAgeMs } = this.limits;
    const load = this.pending.size + this.executing.size;
    if (load + certificates.length > maxPendingAndExecuting) {
      throw new OverloadedError('pending-and-executing', `${load} pending or executing, limit ${maxPendingAndExecuting}`);
    }
    const adding = new Map<ObjectId, number>();
    for (const certificate of certificates) {
      const ids = new Set(certificate.data.inputs.map((i) => (i.kind === 'shared' ? i.id : i.ref.id)));
      ids.add(certificate.data.gas.payment.id);
      for (const id of ids) adding.set(id, (adding.get(id) ?? 0) + 1);
    }
    for (const [id, count] of adding) {
      const queued = this.queues.get(id)?.size ?? 0;
      if (queued + count > maxPerObjectQueue) {
        throw new OverloadedError('per-object-queue', `${queued} waiting, limit ${maxPerObjectQueue}`, id);
      }
      const age = this.queueAge(id);
      if (age > maxQueueAgeMs) throw new OverloadedError('queue-age', `oldest waiting ${Math.round(age)} ms, limit ${maxQueueAgeMs} ms`, id);
    }
  }

  private markAvailable(id: ObjectId, version: number): void {
    if ((this.available.get(id) ?? -1) < version) this.available.set(id, version);
    const versions = this.waiters.get(id);
    const waiting = versions?.get(version);
    if (!versions || !waiting) return;
    versions.delete(version);
    if (versions.size === 0) this.waiters.delete(id);
    this.waitedVersions--;
    for (const digest of waiting) {
      const entry = this.pending.get(digest);
      if (entry && --entry.missing === 0) this.release(entry);
    }
  }

  /** Remove a pending certificate from every index except the waiter lists (stale entries there are skipped). */
  private unqueue(entry: PendingEntry): void {
    const { digest } = entry.certificate;
    this.pending.delete(digest);
    for (const id of entry.objects) {
      const queue = this.queues.get(id);
      queue?.delete(digest);
      if (queue?.size === 0) this.queues.delete(id);
    }
  }

  private forget(entry: PendingEntry): void {
    this.unqueue(entry);
    // Drop its waits, so the missing-objects count stays true.
    for (const { id, version } of entry.waitsOn) {
      const versions = this.waiters.get(id);
      const digests = versions?.get(version);
      if (!versions || !digests) continue;
      const index = digests.indexOf(entry.certificate.digest);
      if (index >= 0) digests.splice(index, 1);
      if (digests.length === 0) {
        versions.delete(version);
        this.waitedVersions--;
        if (versions.size === 0) this.waiters.delete(id);
      }
    }
  }

  private release(entry: PendingEntry): void {
    const { digest } = entry.certificate;
    this.unqueue(entry);
    this.executing.add(digest);
    this.metrics?.queueAge.observe((this.now() - entry.enqueuedAt) / 1000);
    this.readySubject.next(entry.commit ? { certificate: entry.certificate, commit: entry.commit } : { certificate: entry.certificate });
  }
}
