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

/** Owned-object certificates have no shared versions: one empty map for all of them. */
const NO_SHARED_VERSIONS: ReadonlyMap<ObjectId, number> = new Map();

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
  /** Input versions not available yet; released at 0. */
  missing: number;
  /** False once released or forgotten: waiter lists may still name it. */
  pending: boolean;
  /** The distinct objects it reads. */
  readonly slots: ObjectSlot[];
}

/**
 * What the manager knows of one object that certificates are waiting on or
 * being loaded for. One lookup finds all of it, and a slot is dropped as soon
 * as nothing waits on its object, so memory follows pending work, not the
 * number of objects ever seen.
 */
interface ObjectSlot {
  readonly id: ObjectId;
  /** Highest version known to exist (-1 while unknown). Only grows. */
  available: number;
  /** Store reads in progress for it: commits meanwhile must not be lost. */
  loading: number;
  /** Pending certificates waiting on each version. */
  readonly waiters: Map<number, PendingEntry[]>;
  /**
   * The highest version ever waited for while the slot lives (it is not
   * lowered when waits end: a certificate spending below it is either on a
   * waiting certificate's path or spends a consumed version).
   */
  maxWaited: number;
  /** Pending certificates that read it, in arrival order (the first is the oldest). */
  readonly queue: Set<PendingEntry>;
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
  private readonly slots = new Map<ObjectId, ObjectSlot>();
  private waitedVersions = 0;
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
    const slot = this.slots.get(id);
    const oldest = slot && oldestIn(slot);
    return oldest === undefined ? 0 : this.now() - oldest.enqueuedAt;
  }

  /**
   * Accept certificates of owned and immutable objects only (shared ones come
   * through `commit`, else `ConsensusRequiredError`). All or nothing: over an admission limit, the whole call
   * is refused with `OverloadedError` and nothing of it is kept.
   */
  async enqueue(certificates: readonly CertifiedTransaction[]): Promise<EnqueueResult[]> {
    const shared = certificates.find((c) => c.data.inputs.some((i) => i.kind === 'shared'));
    if (shared) throw new ConsensusRequiredError(shared.digest);
    this.admit(certificates);
    return this.accept(certificates.map((certificate) => ({ certificate, commit: undefined, shared: NO_SHARED_VERSIONS })));
  }

  /**
   * Order a consensus commit: assign each shared input its version in commit
   * order (a mutable use moves the object to the transaction's Lamport
   * version), record the assignments in the epoch store, then enqueue.
   * Commits are processed one at a time, in call order. Admission limits do
   * not apply: a commit is consensus output, already sequenced on every
   * validator, and refusing it would leave this one behind its peers (as in
   * Sui, overload control acts where transactions are submitted).
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
    const stale = new Set([...this.pending.values()].filter((entry) => entry.certificate.epoch !== epoch));
    this.forget(stale);
    return [...stale].map((entry) => entry.certificate);
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
    const epoch = this.state.loadEpochStoreOneCallPerTask().epoch;
    const results: EnqueueResult[] = [];
    const accepted: { entry: PendingEntry; index: number; keys: { id: ObjectId; version: number }[]; keySlots: ObjectSlot[] }[] = [];
    const loading: ObjectSlot[] = [];
    let now: number | undefined; // one arrival time for the whole call
    for (let index = 0; index < entries.length; index++) {
      const { certificate, commit, shared } = entries[index] as (typeof entries)[number];
      let result: EnqueueResult | undefined;
      if (certificate.epoch !== epoch) result = 'wrong-epoch';
      else if (this.pending.has(certificate.digest)) result = 'already-pending';
      else if (this.executing.has(certificate.digest)) result = 'already-executing';
      results.push(result ?? 'pending');
      if (result !== undefined) continue;
      const keys = certificate.data.inputs.map((input) =>
        input.kind === 'shared' ? { id: input.id, version: shared.get(input.id) ?? input.initialSharedVersion } : input.ref,
      );
      keys.push(certificate.data.gas.payment);
      const entry: PendingEntry = { certificate, commit, enqueuedAt: (now ??= this.now()), missing: 0, pending: true, slots: [] };
      const keySlots: ObjectSlot[] = [];
      for (const key of keys) {
        let slot = this.slots.get(key.id);
        if (!slot) {
          // Unknown object: read its latest version below; commits meanwhile raise it.
          slot = { id: key.id, available: -1, loading: 1, waiters: new Map(), maxWaited: -1, queue: new Set() };
          this.slots.set(key.id, slot);
          loading.push(slot);
        }
        keySlots.push(slot);
        if (!slot.queue.has(entry)) {
          // Queued at once: the slot stays while it waits, and admission of a concurrent call counts it.
          slot.queue.add(entry);
          entry.slots.push(slot);
        }
      }
      // Reserve the digest now, so a copy in the same or a concurrent call is a duplicate.
      this.pending.set(certificate.digest, entry);
      accepted.push({ entry, index, keys, keySlots });
    }
    // One round trip to the store for everything not known yet.
    const [executed, latest] = await Promise.all([
      Promise.all(accepted.map(({ entry }) => this.state.store.readExecuted(entry.certificate.digest))),
      this.state.store.readLatest(loading.map((slot) => slot.id)),
    ]);
    loading.forEach((slot, i) => {
      slot.loading--;
      this.raiseLoaded(slot, latest[i]?.version ?? -1);
    });
    for (let i = 0; i < accepted.length; i++) {
      const { entry, index, keys, keySlots } = accepted[i] as (typeof accepted)[number];
      if (!entry.pending) continue; // forgotten meanwhile (a reconfiguration)
      if (executed[i]) {
        this.unqueue(entry);
        results[index] = 'already-executed';
        continue;
      }
      for (let k = 0; k < keys.length; k++) {
        const { version } = keys[k] as { version: number };
        const slot = keySlots[k] as ObjectSlot;
        if (slot.available >= version) continue;
        entry.missing++;
        if (version > slot.maxWaited) slot.maxWaited = version;
        const list = slot.waiters.get(version);
        if (list) list.push(entry);
        else {
          slot.waiters.set(version, [entry]);
          this.waitedVersions++;
        }
      }
      if (entry.missing === 0) {
        results[index] = 'ready';
        this.release(entry);
      }
    }
    for (const slot of loading) this.dropIfIdle(slot);
    for (const result of results) {
      this.enqueued[result]++;
      this.metrics?.enqueued.inc({ result });
    }
    return results;
  }

  /**
   * Refuse the whole call if accepting it would pass a limit. A certificate
   * on the way to a version pending certificates wait for is always admitted
   * (and not counted): refusing it could only make the queue it would drain
   * older, and a refused predecessor behind admitted successors would never
   * get in again.
   */
  private admit(certificates: readonly CertifiedTransaction[]): void {
    const { maxPendingAndExecuting, maxPerObjectQueue, maxQueueAgeMs } = this.limits;
    const load = this.pending.size + this.executing.size;
    let counted = certificates;
    if (load + counted.length > maxPendingAndExecuting) {
      counted = certificates.filter((certificate) => !this.unblocks(certificate));
      if (counted.length > 0 && load + counted.length > maxPendingAndExecuting) {
        throw new OverloadedError('pending-and-executing', `${load} pending or executing, limit ${maxPendingAndExecuting}`);
      }
    }
    // Per-object limits: only objects that this call could take past a limit are counted exactly.
    let adding: Map<ObjectId, number> | undefined;
    let now: number | undefined; // read once per call, and only if something waits
    const check = (certificate: CertifiedTransaction, id: ObjectId): void => {
      const slot = this.slots.get(id);
      const queued = slot?.queue.size ?? 0;
      if (queued + counted.length > maxPerObjectQueue) {
        adding ??= countInputs(counted);
        if (queued + (adding.get(id) ?? 0) > maxPerObjectQueue && !this.unblocks(certificate)) {
          throw new OverloadedError('per-object-queue', `${queued} waiting, limit ${maxPerObjectQueue}`, id);
        }
      }
      const oldest = slot && oldestIn(slot);
      if (oldest === undefined) return; // nothing waits on it: no age
      now ??= this.now();
      const age = now - oldest.enqueuedAt;
      if (age > maxQueueAgeMs && !this.unblocks(certificate)) {
        throw new OverloadedError('queue-age', `oldest waiting ${Math.round(age)} ms, limit ${maxQueueAgeMs} ms`, id);
      }
    };
    for (const certificate of counted) {
      for (const input of certificate.data.inputs) check(certificate, input.kind === 'shared' ? input.id : input.ref.id);
      check(certificate, certificate.data.gas.payment.id);
    }
  }

  /**
   * Is `certificate` on the way to a version a pending certificate waits for?
   * It is when it spends an older version of an object someone waits on: its
   * output, or the output of what follows it, is that version. O(inputs).
   */
  private unblocks(certificate: CertifiedTransaction): boolean {
    const spendsBefore = (ref: { id: ObjectId; version: number }): boolean => (this.slots.get(ref.id)?.maxWaited ?? -1) > ref.version;
    // Shared versions come from consensus, not from submission: only owned inputs and gas count.
    return spendsBefore(certificate.data.gas.payment) || certificate.data.inputs.some((input) => input.kind === 'owned' && spendsBefore(input.ref));
  }

  /** A commit wrote `version` of `id`: release whoever waits for exactly that version. */
  private markAvailable(id: ObjectId, version: number): void {
    const slot = this.slots.get(id);
    if (!slot) return; // nothing waits on it, and the store knows it
    if (slot.available < version) slot.available = version;
    const waiting = slot.waiters.get(version);
    if (!waiting) return;
    slot.waiters.delete(version);
    this.waitedVersions--;
    this.releaseWaiters(waiting);
  }

  /** A store read found `version` as the latest: every wait for it or an older version is over. */
  private raiseLoaded(slot: ObjectSlot, version: number): void {
    if (version <= slot.available) return;
    slot.available = version;
    for (const [waited, waiting] of slot.waiters) {
      if (waited > version) continue;
      slot.waiters.delete(waited);
      this.waitedVersions--;
      this.releaseWaiters(waiting);
    }
  }

  private releaseWaiters(waiting: readonly PendingEntry[]): void {
    for (const entry of waiting) {
      if (entry.pending && --entry.missing === 0) this.release(entry);
    }
  }

  /** Remove a pending certificate from every index except the waiter lists (stale entries there are skipped). */
  private unqueue(entry: PendingEntry): void {
    entry.pending = false;
    this.pending.delete(entry.certificate.digest);
    for (const slot of entry.slots) {
      slot.queue.delete(entry);
      this.dropIfIdle(slot);
    }
  }

  private dropIfIdle(slot: ObjectSlot): void {
    if (slot.queue.size === 0 && slot.loading === 0 && slot.waiters.size === 0) this.slots.delete(slot.id);
  }

  /** Drop pending certificates and their waits (rare: reconfiguration), so the missing-objects count stays true. */
  private forget(entries: ReadonlySet<PendingEntry>): void {
    const slots = new Set<ObjectSlot>();
    for (const entry of entries) for (const slot of entry.slots) slots.add(slot);
    // One pass per slot, however many of its waiters go.
    for (const slot of slots) {
      for (const [version, waiting] of slot.waiters) {
        const kept = waiting.filter((other) => !entries.has(other));
        if (kept.length === waiting.length) continue;
        if (kept.length > 0) slot.waiters.set(version, kept);
        else {
          slot.waiters.delete(version);
          this.waitedVersions--;
        }
      }
    }
    for (const entry of entries) this.unqueue(entry);
  }

  private release(entry: PendingEntry): void {
    const { digest } = entry.certificate;
    this.unqueue(entry);
    this.executing.add(digest);
    this.metrics?.queueAge.observe((this.now() - entry.enqueuedAt) / 1000);
    this.readySubject.next(entry.commit ? { certificate: entry.certificate, commit: entry.commit } : { certificate: entry.certificate });
  }
}

/** The objects a certificate reads, gas coin included (an id may repeat). */
function inputIds(certificate: CertifiedTransaction): ObjectId[] {
  const ids = certificate.data.inputs.map((input) => (input.kind === 'shared' ? input.id : input.ref.id));
  ids.push(certificate.data.gas.payment.id);
  return ids;
}

/** The certificate waiting longest on a slot's object (a Set iterates in insertion order). */
function oldestIn(slot: ObjectSlot): PendingEntry | undefined {
  for (const entry of slot.queue) return entry;
  return undefined;
}

/** How many of `certificates` read each object (each certificate counted once per object). */
function countInputs(certificates: readonly CertifiedTransaction[]): Map<ObjectId, number> {
  const counts = new Map<ObjectId, number>();
  for (const certificate of certificates) {
    for (const id of new Set(inputIds(certificate))) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
