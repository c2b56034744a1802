import { type Observable, Subject } from 'rxjs';
import type winston from 'winston';
import type { PendingCertificate } from '../../certificate';
import type { ExecutionOutcome } from '../../outcomes';
import type { CertifiedTransaction } from '../certificates/certified-transaction';
import { checkedAdmissionLimits } from './admission-limits-check';
import { CommitOrder } from './commit-order';
import { createdObjectId, creationCount } from '../execution/created-object-ids';
import { CommitOrderError, ConsensusRequiredError, type OverloadLimit, OverloadedError, PipelineStoppedError } from '../errors';
import { lamportVersion } from '../model/lamport-version';
import type { Digest, ObjectId, StoredObject } from '../model/objects';
import { areCommitted } from '../storage/executed-check';
import { ArrivalOrder } from './arrival-order';
import type { ReferenceAuthorityState } from '../execution/reference-authority-state';
import { type OwnedClaim, ownedRefsOf } from '../execution/reference-epoch-store';
import type { TransactionManagerMetrics } from './transaction-manager-metrics';
import type { AdmissionBudget, AdmissionLoad, EnqueueResult, HandBackReason, TransactionManagerCounts } from './transaction-manager-types';

export type { AdmissionBudget, AdmissionLoad, EnqueueResult, HandBackReason, TransactionManagerCounts } from './transaction-manager-types';

/** What the manager needs of the state: its store, its commits, and the epoch store. */
export type TransactionManagerState = Pick<ReferenceAuthorityState, 'store' | 'committed$' | 'loadEpochStoreOneCallPerTask'>;

/** Owned-object certificates have no shared versions: one empty map for all of them. */
const NO_SHARED_VERSIONS: ReadonlyMap<ObjectId, number> = new Map();

/** No object to read: nothing read. */
const NOTHING_READ: readonly (StoredObject | undefined)[] = Object.freeze([]);

/** An entry not accepted yet, or done consuming: no slots. */
const NO_SLOTS: readonly ObjectSlot[] = Object.freeze([]);

/** Admission limits, as Sui's overload protection. */
export interface AdmissionLimits {
  /** Certificates pending (waiting for inputs) plus executing, at most. Default 100,000. */
  readonly maxPendingAndExecuting?: number;
  /** Certificates waiting on any one object, at most. Default 2,000. */
  readonly maxPerObjectQueue?: number;
  /** Oldest certificate waiting on an object, at most this old (ms). Default 1,000. */
  readonly maxQueueAgeMs?: number;
  /**
   * Submitted certificates waiting for an object that does not exist yet (to be
   * created by a certificate not executed yet), at most; they do not count
   * against `maxPendingAndExecuting`. One arriving past it is handed back at
   * once. Default 10,000.
   */
  readonly maxAwaitingCreation?: number;
  /** Such a certificate is handed back once it has waited this long (ms). Default 2,000. */
  readonly maxAwaitingCreationAgeMs?: number;
  /**
   * Certificates admitted past the limits above, held at once at most,
   * counted apart for those that may execute at once and those that wait
   * (so waiting ones never keep out the one that drains them). Over a limit,
   * a certificate that may execute at once, or that writes what a waiting
   * certificate needs, is admitted anyway (see the README's "Admission past
   * the limits"). A call that would pass this budget is refused whole with
   * `OverloadedError` (`past-limit`). Default 10,000.
   */
  readonly maxPastLimit?: number;
  /**
   * Such a certificate still waiting for its own inputs after this long (ms)
   * is handed back (`past-limit-age`) and its place freed: what it was
   * admitted for did not happen. Default 10,000.
   */
  readonly maxPastLimitAgeMs?: number;
}

export const DEFAULT_ADMISSION_LIMITS: Required<AdmissionLimits> = {
  maxPendingAndExecuting: 100_000,
  maxPerObjectQueue: 2_000,
  maxQueueAgeMs: 1_000,
  maxAwaitingCreation: 10_000,
  maxAwaitingCreationAgeMs: 2_000,
  maxPastLimit: 10_000,
  maxPastLimitAgeMs: 10_000,
};

/** Options of {@link TransactionManager}. */
export interface TransactionManagerOptions {
  /**
   * Checked when the manager is built (`InvalidOptionError`, naming the
   * limit): counts are integers >= 1, ages numbers of ms >= 0, `Infinity`
   * means no limit; a limit set to `undefined` takes its default.
   */
  readonly limits?: AdmissionLimits;
  readonly metrics?: TransactionManagerMetrics;
  /** Certificates released and waiting in the driver, for the ready-backlog gauge. */
  readonly readyBacklog?: () => number;
  /** Clock in ms, for queue ages. Default `performance.now()`. */
  readonly now?: () => number;
  /** Where hand-backs are logged (with the digest). Default: not logged. */
  readonly logger?: winston.Logger;
  /**
   * Called once a consensus commit is sequenced (shared versions assigned) and
   * before any of its certificates is released; the commit waits for it. A
   * durable pipeline persists the assignments here, so that no certificate
   * executes at versions a restart would not know. A rejection rejects the commit.
   * Later commits are sequenced (and this called for them) while it runs, so
   * their writes can be grouped; each commit is accepted only once its call
   * resolved and the commits before it were accepted.
   */
  readonly onSequenced?: (sequenced: SequencedCommit) => Promise<void>;
}

/** What a consensus commit sequenced: each certificate held with its assigned versions, the shared objects' next versions, and the owned versions it claimed. */
export interface SequencedCommit {
  readonly commit: ConsensusCommit;
  /**
   * The epoch it was sequenced in (default: the current one). Once a later
   * epoch is recorded, its versions and claims belong to no epoch that runs:
   * a durable pipeline does not persist them (see `SequencedCommitWriter`).
   */
  readonly epoch?: number;
  readonly held: readonly { readonly certificate: CertifiedTransaction; readonly shared: ReadonlyMap<ObjectId, number> }[];
  readonly nextSharedVersions: ReadonlyMap<ObjectId, number>;
  /**
   * Owned object versions its certificates claimed (see
   * `ReferenceEpochStore.claimOwned`). A durable pipeline persists them with
   * the commit: after a restart, a certificate naming a version claimed by
   * another is cancelled again, and later commits decide as before.
   */
  readonly claims?: readonly OwnedClaim[];
}

/** Certificates accepted before a restart, as a durable pipeline recovers them (see `TransactionManager.restore`). */
export interface RestoredWork {
  readonly certificates: readonly {
    readonly certificate: CertifiedTransaction;
    readonly commit: { readonly digest: string; readonly index: number } | undefined;
    readonly shared: ReadonlyMap<ObjectId, number>;
  }[];
  readonly nextSharedVersions: ReadonlyMap<ObjectId, number>;
  /** The owned-version claims persisted with the commits (`SequencedCommit.claims`); default none. */
  readonly claims?: readonly OwnedClaim[];
}

/**
 * A certificate accepted earlier and handed back by admission control: it is
 * no longer held, and will not execute unless submitted again.
 */
export interface HandedBackCertificate {
  readonly certificate: CertifiedTransaction;
  /**
   * `limit` is `awaiting-creation` or `awaiting-creation-age` (`objectId`: the
   * object that does not exist), or `past-limit-age` (`objectId`: an input
   * whose version it waited for).
   */
  readonly error: OverloadedError;
}

/** A consensus commit: an ordered batch of certificates that touch shared objects. */
export interface ConsensusCommit {
  readonly digest: string;
  readonly index: number;
  readonly certificates: readonly CertifiedTransaction[];
}

/** A certificate offered to `accept`, with its shared versions (and, from a commit, whether it already executed). */
interface Offered {
  readonly certificate: CertifiedTransaction;
  readonly commit: PendingEntry['commit'];
  readonly shared: ReadonlyMap<ObjectId, number>;
  readonly executed?: boolean;
  /** Sequenced before: its pending record (if durable) was written then, and is not written again. */
  readonly again?: boolean;
  /** Decided cancelled at sequencing: it waits for its shared inputs only, and consumes nothing owned. */
  readonly cancelled?: boolean;
}

interface PendingEntry {
  readonly certificate: CertifiedTransaction;
  /** Set once consensus sequenced it (a certificate submitted first is sequenced later: see `takeAsSequenced`). */
  commit: { readonly digest: string; readonly index: number } | undefined;
  readonly enqueuedAt: number;
  budget: AdmissionBudget;
  /** It waits for an object that did not exist when it was accepted. */
  awaitsCreation: boolean;
  /** Input versions not available yet; released at 0. */
  missing: number;
  /** False once released or forgotten: waiter lists may still name it. */
  pending: boolean;
  /** The distinct objects it reads. */
  readonly slots: ObjectSlot[];
  /** The slot of each input, in input order, then the gas coin's: its owned ones are what it consumes. */
  keySlots: readonly ObjectSlot[];
  /**
   * Decided cancelled at sequencing (its keys are then its shared inputs
   * only), or on acceptance (a sequenced certificate naming an owned version
   * known spent): it waits for nothing owned and consumes nothing.
   */
  cancelled: boolean;
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
  /** Its read failed, so `available` says nothing: the next call that needs it reads it again. */
  unread: boolean;
  /** Pending certificates waiting on each version. */
  readonly waiters: Map<number, PendingEntry[]>;
  /**
   * The highest version ever waited for while the slot lives (it is not
   * lowered when waits end: a certificate spending below it is either on a
   * waiting certificate's path or spends a consumed version).
   */
  maxWaited: number;
  /**
   * The versions waited for, ascending from `waitedHead` (some may no longer be
   * waited for): `markAvailable` walks past the versions below the one written,
   * each once, so a wait for a version skipped is found without a scan.
   * Undefined while nothing waits.
   */
  waitedOrder: number[] | undefined;
  waitedHead: number;
  /** A commit deleted it: no version of it will come, so nothing waits on it. */
  deleted: boolean;
  /**
   * The released certificate consuming it (an owned input or gas coin), if
   * any: one at a time, so that two certificates naming the same version never
   * run at once (the second would read it as live, and spend it again). The
   * slot lives while it is set.
   */
  consumer: PendingEntry | undefined;
  /** Certificates whose inputs are available, held back until `consumer` ends (then they find it spent, or not). */
  parked: PendingEntry[] | undefined;
  /** Pending certificates that read it, in arrival order: the slot lives while one does. */
  readonly queue: Set<PendingEntry>;
  /**
   * Pending certificates waiting for a version of it not available yet (with
   * how many of their inputs do), in `waitingOrder`: what admission's per-object
   * and age limits count. One whose wait on it ended (the version came, it
   * was found cancelled, released or forgotten) is not in it.
   */
  readonly waiting: Map<PendingEntry, number>;
  /** `waiting`'s members, oldest first (a concurrent call may register its waits late). */
  readonly waitingOrder: ArrivalOrder<PendingEntry>;
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
  private readonly handedBackSubject = new Subject<HandedBackCertificate>();
  /**
   * Certificates accepted earlier and handed back by admission control (see
   * `maxAwaitingCreation`): resubmit them. Commit certificates are never handed back.
   */
  readonly handedBack$: Observable<HandedBackCertificate> = this.handedBackSubject.asObservable();

  private readonly limits: Required<AdmissionLimits>;
  private readonly pending = new Map<Digest, PendingEntry>();
  /** Released certificates not yet committed (each counts against its entry's budget). */
  private readonly executing = new Map<Digest, PendingEntry>();
  private readonly slots = new Map<ObjectId, ObjectSlot>();
  private waitedVersions = 0;
  /** Pending entries that wait for an object that does not exist yet (any budget). */
  private waitingOnCreations = 0;
  private readonly budgetLoad: Record<AdmissionBudget, number> = { ordinary: 0, awaitingCreation: 0, pastLimit: 0, consensus: 0 };
  /** Pending certificates of the awaiting-creation budget, oldest first: the age limit looks at the first. */
  private readonly awaitingCreation = new Set<PendingEntry>();
  /** Pending certificates of the past-limit budget still waiting for inputs, oldest first. */
  private readonly pastLimitWaiting = new Set<PendingEntry>();
  /** `awaitingCreation` and `pastLimitWaiting` oldest first (a concurrent call may add older entries after younger ones). */
  private readonly arrivalOrder = { awaitingCreation: new ArrivalOrder<PendingEntry>(), pastLimit: new ArrivalOrder<PendingEntry>() };
  /** Next version to assign per shared object, in epoch `sharedEpoch`. */
  private readonly nextSharedVersion = new Map<ObjectId, number>();
  private sharedEpoch: number;
  /** The last commit's sequencing: the next one is sequenced after it. */
  private commits: Promise<unknown> = Promise.resolve();
  /** The last commit's acceptance: the next one is accepted after it, in commit order. */
  private accepts: Promise<unknown> = Promise.resolve();
  private readonly commitOrder = new CommitOrder();
  /** The lowest index of a commit that failed before it was sequenced: no later one is sequenced until it is. */
  private failedCommit: number | undefined;
  /** The highest index of a commit sequenced. */
  private sequencedUpTo = Number.NEGATIVE_INFINITY;
  private closed = false;
  /** Consensus certificates decided cancelled at sequencing: an earlier sequenced certificate claimed an owned version they name. */
  cancelledAtSequencing = 0;
  /** Counts of `enqueue` results, by result. */
  readonly enqueued: Record<EnqueueResult, number> = {
    pending: 0,
    ready: 0,
    'already-executed': 0,
    'already-pending': 0,
    'already-executing': 0,
    'wrong-epoch': 0,
    'handed-back': 0,
  };

  private readonly now: () => number;
  private readonly metrics: TransactionManagerMetrics | undefined;
  private readonly logger: winston.Logger | undefined;
  private readonly onSequenced: ((sequenced: SequencedCommit) => Promise<void>) | undefined;

  /** @throws InvalidOptionError for an admission limit out of range (see `TransactionManagerOptions.limits`). */
  constructor(
    private readonly state: TransactionManagerState,
    options: TransactionManagerOptions = {},
  ) {
    this.limits = checkedAdmissionLimits(options.limits, DEFAULT_ADMISSION_LIMITS);
    this.sharedEpoch = state.loadEpochStoreOneCallPerTask().epoch;
    this.now = options.now ?? (() => performance.now());
    this.metrics = options.metrics;
    this.logger = options.logger;
    this.onSequenced = options.onSequenced;
    const readyBacklog = options.readyBacklog ?? (() => 0);
    this.metrics?.track({ counts: () => this.counts, readyBacklog, load: () => this.load });
    state.committed$.subscribe(({ certificate, written, deleted }) => {
      this.finished(certificate.digest);
      // Claims on versions now spent are dropped (see `ReferenceEpochStore.releaseClaimsBelow`): memory follows live claims.
      const epochStore = state.loadEpochStoreOneCallPerTask();
      for (const ref of written) {
        epochStore.releaseClaimsBelow(ref.id, ref.version);
        this.markAvailable(ref.id, ref.version);
      }
      if (deleted) {
        for (const key of deleted) {
          epochStore.releaseClaimsBelow(key.id, Number.POSITIVE_INFINITY);
          this.markDeleted(key.id);
        }
      }
    });
  }

  get counts(): TransactionManagerCounts {
    return { pending: this.pending.size, executing: this.executing.size, missingObjects: this.waitedVersions };
  }

  /** Certificates held (pending or executing) per admission budget. */
  get load(): AdmissionLoad {
    return { ...this.budgetLoad };
  }

  /** The age limits and budgets in force. */
  get admissionLimits(): Required<AdmissionLimits> {
    return this.limits;
  }

  /** The age (ms) of the oldest certificate waiting for a version of `id` not available yet, or 0. */
  queueAge(id: ObjectId): number {
    const slot = this.slots.get(id);
    const oldest = slot && oldestIn(slot);
    return oldest === undefined ? 0 : this.now() - oldest.enqueuedAt;
  }

  /**
   * Accept certificates of owned and immutable objects only (shared ones come
   * through `commit`, else `ConsensusRequiredError`). All or nothing: over an admission limit, the whole call
   * is refused with `OverloadedError` and nothing of it is kept.
   * @throws PipelineStoppedError after `close()`, keeping nothing.
   */
  async enqueue(certificates: readonly CertifiedTransaction[]): Promise<EnqueueResult[]> {
    if (this.closed) throw new PipelineStoppedError();
    const shared = certificates.find((c) => c.data.inputs.some((i) => i.kind === 'shared'));
    if (shared) throw new ConsensusRequiredError(shared.digest);
    this.expireAged();
    const pastLimit = this.admit(certificates);
    return this.accept(
      certificates.map((certificate) => ({ certificate, commit: undefined, shared: NO_SHARED_VERSIONS })),
      pastLimit,
    );
  }

  /**
   * Order a consensus commit: assign each shared input its version in commit
   * order (a mutable use moves the object to the transaction's Lamport
   * version), record the assignments in the epoch store, then enqueue.
   * Commits are processed one at a time, in call order. Admission limits do
   * not apply: a commit is consensus output, already sequenced on every
   * validator, and refusing it would leave this one behind its peers (as in
   * Sui, overload control acts where transactions are submitted). Its
   * certificates count against the ordinary budget, so submissions see the
   * load, and are never refused or handed back.
   *
   * A certificate sequenced before (earlier in this commit, in an earlier one,
   * or already executed) is a duplicate: it is assigned no version and moves no
   * shared object, so what follows is ordered as if it were absent. One whose
   * execution failed is enqueued again at the versions it was first assigned.
   * One held from a submit only is sequenced now (answered `already-pending`
   * or `already-executing`), and held as consensus output from then on.
   *
   * @throws CommitOrderError (rejects; nothing kept) when the index is not above
   * the last one and the commit is not a redelivery of one already seen (same
   * index, digest and certificates; a redelivery changes nothing), or
   * (`after-failed-commit`) when an earlier commit failed before it was
   * sequenced and has not been delivered again since.
   * @throws PipelineStoppedError after `close()`.
   */
  commit(commit: ConsensusCommit): Promise<EnqueueResult[]> {
    if (this.closed) return Promise.reject(new PipelineStoppedError());
    let order: CommitOrderError | undefined;
    try {
      this.commitOrder.check(commit);
    } catch (error) {
      if (!(error instanceof CommitOrderError)) throw error;
      order = error;
    }
    if (order) return Promise.reject(order);
    return this.sequenceAndAccept(commit);
  }

  /**
   * Take again a commit the caller recognised as a redelivery of one
   * processed before a restart (a durable pipeline checks it against its
   * record; this manager has not seen it): as `commit` takes a redelivery of
   * one it has seen, certificates held answer `already-pending` or
   * `already-executing`, executed ones `already-executed`, those of another
   * epoch `wrong-epoch`, and one whose execution failed is enqueued again at
   * the versions it was first assigned.
   * @throws CommitOrderError (`after-failed-commit`), PipelineStoppedError: as `commit`.
   */
  redeliver(commit: ConsensusCommit): Promise<EnqueueResult[]> {
    if (this.closed) return Promise.reject(new PipelineStoppedError());
    return this.sequenceAndAccept(commit);
  }

  /** Whether `digest` is held (pending or executing) as sequenced by a consensus commit. */
  isHeldSequenced(digest: Digest): boolean {
    return (this.pending.get(digest) ?? this.executing.get(digest))?.commit !== undefined;
  }

  /** Sequence `commit` after the commits before it, then accept it after theirs. */
  private sequenceAndAccept(commit: ConsensusCommit): Promise<EnqueueResult[]> {
    // Sequenced one after another, without waiting for the previous one's `onSequenced`
    // (a durable pipeline's disk write): the writes of commits sequenced meanwhile are grouped.
    const sequenced = this.commits.then(() => this.sequence(commit));
    this.commits = sequenced.catch(() => undefined);
    const acceptsBefore = this.accepts; // never rejects
    const accepted = sequenced.then(async ({ entries, persisted }) => {
      await acceptsBefore;
      if (persisted) await persisted;
      return this.accept(entries, undefined);
    });
    this.accepts = accepted.catch(() => undefined);
    return accepted;
  }

  /**
   * The state has moved to a new epoch: drop every pending certificate of
   * another epoch (it can never execute now) and hand them back, never
   * silently, with `unstarted`: certificates it released that the driver
   * gave back unstarted (`ExecutionDriverHandle.withdraw`; the pipeline takes
   * back those of another epoch), which it lets go as {@link notifyWithdrawn} does. Call after
   * `ReferenceAuthorityState.reconfigure`. Returns the pending ones, then
   * those of `unstarted` it had released (once each).
   */
  dropStaleEpoch(unstarted: readonly PendingCertificate[] = []): CertifiedTransaction[] {
    const epoch = this.state.loadEpochStoreOneCallPerTask().epoch;
    const stale = new Set([...this.pending.values()].filter((entry) => entry.certificate.epoch !== epoch));
    this.forget(stale);
    const handedBack = [...stale].map((entry) => entry.certificate);
    // After the pending ones are gone: what waited behind one of these (a new epoch's certificate) is released now, and nothing stale.
    for (const { certificate } of unstarted) {
      const released = this.executing.get(certificate.digest);
      if (released === undefined) continue;
      this.finished(certificate.digest);
      handedBack.push(released.certificate);
    }
    if (handedBack.length > 0) this.metrics?.handedBack.inc({ reason: 'stale-epoch' }, handedBack.length);
    return handedBack;
  }

  /**
   * A certificate it released was taken back from the driver unstarted
   * (`ExecutionDriverHandle.withdraw`): it is no longer executing, and frees
   * its place and the owned objects it was to consume, as an outcome would.
   */
  notifyWithdrawn(pending: PendingCertificate): void {
    this.finished(pending.certificate.digest);
  }

  /**
   * Tell the manager how an execution ended; one that did not commit is no
   * longer executing (one that committed was let go at its commit already,
   * unless it was found executed and committed nothing).
   */
  notifyOutcome(outcome: ExecutionOutcome): void {
    this.finished(outcome.digest);
  }

  /**
   * Hand back, on `handedBack$`, every certificate held past an age limit of
   * its budget, freeing its place: those waiting for an object not created yet
   * longer than `maxAwaitingCreationAgeMs`, and those admitted past the limits
   * still waiting for their inputs after `maxPastLimitAgeMs`. `enqueue` does
   * this first; the pipeline also calls it on a timer, so a submitter learns
   * even when nothing else arrives. Returns how many.
   */
  expireAged(): number {
    return this.expireAwaitingCreation() + this.expirePastLimit();
  }

  /** The awaiting-creation half of {@link expireAged}. Returns how many. */
  expireAwaitingCreation(): number {
    const { maxAwaitingCreationAgeMs } = this.limits;
    return this.expire(this.awaitingCreation, this.arrivalOrder.awaitingCreation, maxAwaitingCreationAgeMs, 'awaiting-creation-age', missingObjectOf, (age) =>
      `waited ${age} ms for an object that does not exist yet, limit ${maxAwaitingCreationAgeMs} ms`,
    );
  }

  /** The past-limit half of {@link expireAged}. Returns how many. */
  expirePastLimit(): number {
    const { maxPastLimitAgeMs } = this.limits;
    return this.expire(this.pastLimitWaiting, this.arrivalOrder.pastLimit, maxPastLimitAgeMs, 'past-limit-age', waitedObjectOf, (age) =>
      `admitted past the limits, waited ${age} ms for its own inputs, limit ${maxPastLimitAgeMs} ms`,
    );
  }

  /** Hand back the entries of `queue` (walked oldest first, in `order`) older than `limitMs`. */
  private expire(
    queue: ReadonlySet<PendingEntry>,
    order: ArrivalOrder<PendingEntry>,
    limitMs: number,
    reason: OverloadLimit & HandBackReason,
    objectOf: (entry: PendingEntry) => ObjectId | undefined,
    detail: (ageMs: number) => string,
  ): number {
    if (queue.size === 0) return 0;
    const now = this.now();
    let expired: Set<PendingEntry> | undefined;
    order.forEachOldestFirst(queue, (entry) => {
      if (now - entry.enqueuedAt <= limitMs) return false; // oldest first: the rest are younger
      (expired ??= new Set()).add(entry);
      return true;
    });
    if (!expired) return 0;
    const objects = [...expired].map(objectOf); // before forgetting: it reads the waits
    this.forget(expired);
    let i = 0;
    for (const entry of expired) this.announceHandBack(entry.certificate, reason, detail(Math.round(now - entry.enqueuedAt)), objects[i++]);
    return expired.size;
  }

  /**
   * Stop: from now on `enqueue` and `commit` refuse with `PipelineStoppedError`
   * and nothing more is released to `ready$` (a certificate whose inputs
   * arrive stays held). Then `handBackAll` returns what is held.
   */
  close(): void {
    this.closed = true;
  }

  /**
   * After `close()`, once in-flight `enqueue` and `commit` calls have settled:
   * remove and return every certificate still held, waiting for inputs or with
   * inputs available but not released, so the caller can persist or resubmit them.
   */
  handBackAll(): PendingCertificate[] {
    const held = new Set(this.pending.values());
    this.forget(held);
    if (held.size > 0) this.metrics?.handedBack.inc({ reason: 'stopped' }, held.size);
    return [...held].map((entry) => (entry.commit ? { certificate: entry.certificate, commit: entry.commit } : { certificate: entry.certificate }));
  }

  /**
   * {@link assign}, in commit order: not after a commit that failed before it
   * was sequenced (checked here, in order, so a redelivery of the failed one
   * followed at once by the next goes through), and a commit that fails so is
   * remembered until it is delivered again and sequenced. A failed redelivery
   * of a commit sequenced before holds nothing back.
   */
  private async sequence(commit: ConsensusCommit): Promise<{ entries: Offered[]; persisted: Promise<void> | undefined }> {
    if (this.failedCommit !== undefined && commit.index > this.failedCommit) {
      throw new CommitOrderError('after-failed-commit', commit.index, this.failedCommit);
    }
    try {
      const sequenced = await this.assign(commit);
      if (this.failedCommit === commit.index) this.failedCommit = undefined;
      if (commit.index > this.sequencedUpTo) this.sequencedUpTo = commit.index;
      return sequenced;
    } catch (error) {
      // A redelivery of a commit sequenced before assigns nothing new: its failure holds nothing back.
      if (commit.index > this.sequencedUpTo && (this.failedCommit === undefined || commit.index < this.failedCommit)) this.failedCommit = commit.index;
      throw error;
    }
  }

  /**
   * Assign the commit's shared versions, and start `onSequenced` (not waited
   * for here: the commit is accepted once it resolves, and after the commits
   * before it).
   */
  private async assign(commit: ConsensusCommit): Promise<{ entries: Offered[]; persisted: Promise<void> | undefined }> {
    if (this.closed) throw new PipelineStoppedError();
    const { certificates } = commit;
    const epochStore = this.state.loadEpochStoreOneCallPerTask();
    if (epochStore.epoch !== this.sharedEpoch) {
      // A new epoch: the old one's certificates that did not execute never will (the state refuses them, and
      // `dropStaleEpoch` hands back those pending), so the versions they took never exist. Start from the store.
      this.nextSharedVersion.clear();
      this.sharedEpoch = epochStore.epoch;
    }
    const unknown = new Set<ObjectId>();
    for (const certificate of certificates) {
      for (const input of certificate.data.inputs) {
        if (input.kind === 'shared' && !this.nextSharedVersion.has(input.id)) unknown.add(input.id);
      }
    }
    const ids = [...unknown];
    // Sequenced before and not executed yet: known now, before a read during which it might commit.
    const earlier = certificates.map((certificate) => this.sequencedBefore(certificate.digest, epochStore));
    // Held from a submit only: its store read below may answer before it commits, and it may end during the read.
    const heldFromSubmit = certificates.map((certificate) => (this.pending.get(certificate.digest) ?? this.executing.get(certificate.digest))?.commit === undefined && this.holds(certificate.digest));
    // Whether each certificate already executed (a duplicate), and the unknown shared objects, if any.
    // Whether it committed, not whether its effects are kept: retention prunes those, never the epoch's markers.
    const executedRead = this.committedAmong(certificates, (i) => earlier[i] !== undefined);
    const [latest, executed] = ids.length === 0 ? [NOTHING_READ, await executedRead] : await Promise.all([this.state.store.readLatest(ids), executedRead]);
    ids.forEach((id, i) => {
      const object = latest[i];
      if (!this.nextSharedVersion.has(id) && object) this.nextSharedVersion.set(id, object.version);
    });
    // Reconfigured during the read: what was read may predate the switch, so start again in the new epoch.
    if (this.state.loadEpochStoreOneCallPerTask() !== epochStore) return this.assign(commit);
    // One held from a submit ended during the read (it committed, or failed): the read may predate that, and it is no
    // longer held, so it would be taken as new and run twice. Read again: nothing of this commit is decided yet.
    if (certificates.some((certificate, i) => heldFromSubmit[i] === true && !executed[i] && !this.holds(certificate.digest))) return this.assign(commit);
    const at = { digest: commit.digest, index: commit.index };
    const claims: OwnedClaim[] = [];
    const entries = certificates.map((certificate, i): Offered => {
      const { digest } = certificate;
      // `accept` refuses it (wrong epoch): it must take no version, or what follows on its objects would wait for good. Executed
      // in its epoch (a redelivery after a reconfiguration), it is answered so.
      if (certificate.epoch !== epochStore.epoch) return { certificate, commit: at, shared: NO_SHARED_VERSIONS, ...(executed[i] === true ? { executed: true } : {}) };
      // The first sequenced certificate naming an owned version claims it; a later one naming it is cancelled, in commit order on every
      // validator. Every sequenced one claims, whether submitted or executed already here (that differs between validators); a duplicate
      // finds its own claims, or claims again versions spent since (harmless: they are spent).
      const { conflict, made } = epochStore.claimOwned(digest, ownedRefsOf(certificate.data));
      for (const claim of made) claims.push(claim);
      // Sequenced before (an earlier commit, or earlier in this one): no new versions, nothing moves, the same decision.
      const before = earlier[i] ?? epochStore.sharedVersionsOf(digest);
      if (before) return { certificate, commit: at, shared: before, again: true, cancelled: epochStore.isDecidedCancelled(digest) };
      if (executed[i] === true) return { certificate, commit: at, shared: NO_SHARED_VERSIONS, executed: true };
      // Held from a submit: sequenced now, as any other, and it takes the commit at once (no submit record may overwrite its sequenced
      // one). It may commit before `accept`, which reads again whether it executed.
      const submitted = this.takeAsSequenced(digest, at);
      if (conflict) {
        epochStore.decideCancelled(digest);
        this.cancelledAtSequencing++;
      }
      const shared = new Map<ObjectId, number>();
      for (const input of certificate.data.inputs) {
        if (input.kind === 'shared') shared.set(input.id, this.nextSharedVersion.get(input.id) ?? input.initialSharedVersion);
      }
      // What executeTransaction will write: owned inputs count as much as shared ones.
      const lamport = lamportVersion(certificate.data.gas.payment.version, certificate.data.inputs, (input) =>
        input.kind === 'shared' ? (shared.get(input.id) ?? input.initialSharedVersion) : input.ref.version,
      );
      for (const input of certificate.data.inputs) {
        if (input.kind === 'shared' && input.mutable) this.nextSharedVersion.set(input.id, lamport);
      }
      if (shared.size > 0) epochStore.assignSharedVersions(digest, shared);
      return submitted ? { certificate, commit: at, shared, cancelled: conflict } : { certificate, commit: at, shared, executed: false, cancelled: conflict };
    });
    if (this.onSequenced) {
      const nextSharedVersions = new Map<ObjectId, number>();
      for (const certificate of certificates) {
        for (const input of certificate.data.inputs) {
          if (input.kind !== 'shared') continue;
          const next = this.nextSharedVersion.get(input.id);
          if (next !== undefined) nextSharedVersions.set(input.id, next);
        }
      }
      // A duplicate is not recorded again: written after its execution removed its record, the record would outlive it (the kill -9 harness).
      // One held from a submit and released already keeps its submit record: its execution may remove the record before this lands.
      const held = entries
        .filter((entry) => entry.executed !== true && entry.again !== true && !this.executing.has(entry.certificate.digest))
        .map(({ certificate, shared }) => ({ certificate, shared }));
      const persisted = this.onSequenced({ commit, epoch: epochStore.epoch, held, nextSharedVersions, claims });
      persisted.catch(() => undefined); // awaited in commit order; a rejection is that commit's
      return { entries, persisted };
    }
    return { entries, persisted: undefined };
  }

  /**
   * After a restart: take back the certificates accepted before it, each with
   * the shared versions consensus assigned it, and the shared objects' next
   * versions, so later commits continue the same sequence. Admission limits do
   * not apply (they were admitted once). Call before any `enqueue` or `commit`.
   */
  async restore(work: RestoredWork): Promise<EnqueueResult[]> {
    for (const [id, version] of work.nextSharedVersions) this.nextSharedVersion.set(id, version);
    const epochStore = this.state.loadEpochStoreOneCallPerTask();
    // One of an earlier epoch is refused below (wrong epoch): nothing of it enters this epoch's store.
    const current = (certificate: CertifiedTransaction): boolean => certificate.epoch === epochStore.epoch;
    for (const { certificate, shared } of work.certificates) if (shared.size > 0 && current(certificate)) epochStore.assignSharedVersions(certificate.digest, shared);
    const claims = work.claims ?? [];
    epochStore.restoreClaims(claims);
    // Decided again as at sequencing: a sequenced certificate naming a version another claimed was cancelled then.
    const offered = work.certificates.map(({ certificate, commit, shared }): Offered => {
      const cancelled = commit !== undefined && current(certificate) && epochStore.conflicts(certificate.digest, ownedRefsOf(certificate.data));
      if (cancelled) epochStore.decideCancelled(certificate.digest);
      return { certificate, commit, shared, cancelled };
    });
    if (claims.length > 0) {
      // Claims on versions spent before the restart hold nothing any more: drop them, as at the spend.
      const ids = [...new Set(claims.map((claim) => claim.id))];
      const latest = await this.state.store.readLatest(ids);
      ids.forEach((id, i) => {
        const object = latest[i];
        if (object) epochStore.releaseClaimsBelow(id, object.version);
      });
    }
    return this.accept(offered, undefined);
  }

  private async accept(entries: readonly Offered[], pastLimit: ReadonlySet<CertifiedTransaction> | undefined): Promise<EnqueueResult[]> {
    const epochStore = this.state.loadEpochStoreOneCallPerTask();
    const { epoch } = epochStore;
    const results: EnqueueResult[] = [];
    const accepted: { entry: PendingEntry; index: number; keys: { id: ObjectId; version: number }[]; keySlots: ObjectSlot[]; checked: boolean }[] = [];
    const loading: ObjectSlot[] = [];
    let now: number | undefined; // one arrival time for the whole call
    for (let index = 0; index < entries.length; index++) {
      const { certificate, commit, shared, executed: knownExecuted, cancelled = false } = entries[index] as Offered;
      let result: EnqueueResult | undefined;
      if (commit !== undefined && cancelled && certificate.epoch === epoch) this.retakeCancelled(certificate.digest);
      if (certificate.epoch !== epoch) result = knownExecuted === true ? 'already-executed' : 'wrong-epoch';
      else if (this.pending.has(certificate.digest)) result = 'already-pending';
      else if (this.executing.has(certificate.digest)) result = 'already-executing';
      else if (knownExecuted === true) result = 'already-executed';
      results.push(result ?? 'pending');
      if (result !== undefined) continue;
      const keys = cancelled
        ? sharedKeys(certificate, shared) // decided cancelled: nothing owned is read, so nothing owned is waited for
        : certificate.data.inputs.map((input) => (input.kind === 'shared' ? { id: input.id, version: shared.get(input.id) ?? input.initialSharedVersion } : input.ref));
      if (!cancelled) keys.push(certificate.data.gas.payment);
      const budget: AdmissionBudget = commit ? 'consensus' : pastLimit?.has(certificate) ? 'pastLimit' : 'ordinary';
      const entry: PendingEntry = {
        certificate,
        commit,
        enqueuedAt: (now ??= this.now()),
        budget,
        awaitsCreation: false,
        missing: 0,
        pending: true,
        slots: [],
        keySlots: NO_SLOTS,
        cancelled,
      };
      this.budgetLoad[budget]++;
      const keySlots: ObjectSlot[] = [];
      for (const key of keys) {
        let slot = this.slots.get(key.id);
        if (!slot) {
          // Unknown object: read its latest version below; commits meanwhile raise it.
          slot = {
            id: key.id,
            available: -1,
            loading: 1,
            unread: false,
            waiters: new Map(),
            maxWaited: -1,
            waitedOrder: undefined,
            waitedHead: 0,
            deleted: false,
            consumer: undefined,
            parked: undefined,
            queue: new Set(),
            waiting: new Map(),
            waitingOrder: new ArrivalOrder(),
          };
          this.slots.set(key.id, slot);
          loading.push(slot);
        } else if (slot.unread) {
          slot.unread = false;
          slot.loading++;
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
      // A cancelled one consumes nothing: no slot of it is an owned one to hold.
      if (!cancelled) entry.keySlots = keySlots;
      accepted.push({ entry, index, keys, keySlots, checked: knownExecuted === false });
    }
    // One round trip to the store for everything not known yet.
    let executed: boolean[];
    let latest: readonly (StoredObject | undefined)[];
    try {
      const executedRead = this.committedAmong(
        accepted.map(({ entry }) => entry.certificate),
        (i) => (accepted[i] as (typeof accepted)[number]).checked,
      );
      [executed, latest] =
        loading.length === 0 ? [await executedRead, NOTHING_READ] : await Promise.all([executedRead, this.state.store.readLatest(loading.map((slot) => slot.id))]);
    } catch (error) {
      // The call is refused whole: give back what it reserved, or a resubmission would be 'already-pending' for good.
      // A slot it was reading may live on (others wait on it): without a version read, it is read again when next needed.
      for (const slot of loading) {
        slot.loading--;
        slot.unread = true;
      }
      for (const { entry } of accepted) if (entry.pending) this.drop(entry);
      for (const slot of loading) this.dropIfIdle(slot);
      throw error;
    }
    loading.forEach((slot, i) => {
      slot.loading--;
      this.raiseLoaded(slot, latest[i]?.version ?? -1);
    });
    const deletedRead = this.findDeleted(accepted); // only when a sequenced certificate names an object the store does not know
    if (deletedRead) await deletedRead;
    let overBudget: PendingEntry[] | undefined;
    let notReady: PendingEntry[] | undefined;
    for (let i = 0; i < accepted.length; i++) {
      const { entry, index, keys, keySlots } = accepted[i] as (typeof accepted)[number];
      if (!entry.pending) {
        // Forgotten meanwhile: a reconfiguration handed it back, so it is not pending (and a durable pipeline records nothing).
        if (entry.certificate.epoch !== this.state.loadEpochStoreOneCallPerTask().epoch) results[index] = 'wrong-epoch';
        continue;
      }
      if (executed[i]) {
        this.drop(entry);
        results[index] = 'already-executed';
        continue;
      }
      // Sequenced, naming an owned version known spent: cancelled whatever else it waits for, as if a claim had cancelled it.
      const spent = entry.commit !== undefined && !entry.cancelled && namesSpent(entry, keySlots, keys);
      if (spent) {
        epochStore.decideCancelled(entry.certificate.digest);
        entry.cancelled = true;
        entry.keySlots = NO_SLOTS;
        this.leaveOwnedQueues(entry); // it reads only its shared inputs now
      }
      let awaitsCreation = false;
      for (let k = 0; k < keys.length; k++) {
        if (spent && !isSharedKey(entry, k)) continue; // it reads nothing owned or immutable now
        const { version } = keys[k] as { version: number };
        const slot = keySlots[k] as ObjectSlot;
        if (slot.available >= version || slot.deleted) continue; // a deleted one is unavailable for good: it runs, to find that out
        // No version of it is known (and none is being read): it is yet to be created.
        if (slot.available < 0 && slot.loading === 0) awaitsCreation = true;
        entry.missing++;
        addWaiting(slot, entry);
        if (version > slot.maxWaited) slot.maxWaited = version;
        const list = slot.waiters.get(version);
        if (list) list.push(entry);
        else {
          slot.waiters.set(version, [entry]);
          this.waitedVersions++;
          addWaitedVersion(slot, version);
        }
      }
      if (entry.missing === 0) {
        if (this.release(entry)) results[index] = 'ready';
        continue;
      }
      if (entry.budget === 'pastLimit') {
        if (this.pastLimitWaiting.size < this.limits.maxPastLimit) addInArrivalOrder(this.pastLimitWaiting, this.arrivalOrder.pastLimit, entry); // its age limit applies
        else {
          // Admitted to run at once, it waits, and the waiting half of the budget is full: it goes back.
          (notReady ??= []).push(entry);
          results[index] = 'handed-back';
          continue;
        }
      }
      if (!awaitsCreation) continue;
      entry.awaitsCreation = true;
      this.waitingOnCreations++;
      if (entry.budget !== 'ordinary') continue; // consensus and past-limit certificates keep their place
      if (this.budgetLoad.awaitingCreation >= this.limits.maxAwaitingCreation) {
        (overBudget ??= []).push(entry);
        results[index] = 'handed-back';
        continue;
      }
      this.budgetLoad.ordinary--;
      this.budgetLoad.awaitingCreation++;
      entry.budget = 'awaitingCreation';
      addInArrivalOrder(this.awaitingCreation, this.arrivalOrder.awaitingCreation, entry);
    }
    for (const slot of loading) this.dropIfIdle(slot);
    for (const result of results) {
      this.enqueued[result]++;
      this.metrics?.enqueued.inc({ result });
    }
    if (overBudget) {
      const missing = overBudget.map(missingObjectOf);
      this.forget(new Set(overBudget));
      const detail = `${this.budgetLoad.awaitingCreation} certificates wait for objects that do not exist yet, limit ${this.limits.maxAwaitingCreation}`;
      overBudget.forEach((entry, i) => this.announceHandBack(entry.certificate, 'awaiting-creation', detail, missing[i]));
    }
    if (notReady) {
      const waited = notReady.map(waitedObjectOf); // before forgetting: it reads the waits
      this.forget(new Set(notReady));
      const detail = `admitted past the limits to run at once, it waits for an input, and ${this.limits.maxPastLimit} admitted so already wait`;
      notReady.forEach((entry, i) => this.announceHandBack(entry.certificate, 'past-limit', detail, waited[i]));
    }
    return results;
  }

  /**
   * If a certificate held from a submit (pending or executing) is now
   * sequenced by `commit`: it is consensus output, which executes on every
   * validator, so it takes the commit and moves to the consensus budget (no
   * age or budget limit hands it back, and `handBackAll` returns it with its
   * commit). Returns whether it was so held.
   */
  private takeAsSequenced(digest: Digest, commit: NonNullable<PendingEntry['commit']>): boolean {
    const entry = this.pending.get(digest) ?? this.executing.get(digest);
    if (entry === undefined || entry.commit !== undefined) return false;
    entry.commit = commit;
    this.budgetLoad[entry.budget]--;
    this.awaitingCreation.delete(entry);
    this.pastLimitWaiting.delete(entry);
    entry.budget = 'consensus';
    this.budgetLoad.consensus++;
    return true;
  }

  /**
   * A pending certificate decided cancelled at sequencing, held waiting for
   * its owned inputs (it was held from a submit when its commit sequenced it):
   * let go here, and taken again by the caller as any cancelled one, waiting
   * for its shared inputs only.
   */
  private retakeCancelled(digest: Digest): void {
    const entry = this.pending.get(digest);
    if (entry !== undefined && !entry.cancelled) this.forget(new Set([entry]));
  }

  /**
   * A sequenced certificate's owned input (or gas coin) of which the store
   * knows no live version is deleted (spent for good) or not created yet; only
   * its version tells, so read it (rare: one read for all such inputs of a
   * call). A deleted one's slot says so, and nothing waits on it: the
   * certificate runs, and is executed as cancelled, instead of holding its
   * shared objects for good. A failed read leaves them waiting, as before.
   */
  private findDeleted(
    accepted: readonly { entry: PendingEntry; keys: readonly { id: ObjectId; version: number }[]; keySlots: readonly ObjectSlot[] }[],
  ): Promise<void> | undefined {
    let asked: { slot: ObjectSlot; key: { id: ObjectId; version: number } }[] | undefined;
    for (const { entry, keys, keySlots } of accepted) {
      if (entry.commit === undefined || !entry.pending || entry.cancelled) continue;
      const { inputs } = entry.certificate.data;
      for (let k = 0; k < keys.length; k++) {
        const slot = keySlots[k] as ObjectSlot;
        const owned = k === inputs.length || inputs[k]?.kind === 'owned';
        if (owned && slot.available < 0 && slot.loading === 0 && !slot.deleted) (asked ??= []).push({ slot, key: keys[k] as { id: ObjectId; version: number } });
      }
    }
    if (!asked) return undefined;
    const slots = asked.map(({ slot }) => slot);
    return this.state.store.readObjects(asked.map(({ key }) => key)).then(
      (found) => {
        // Still no live version (a commit meanwhile would have raised it): the version exists, so the object was deleted.
        slots.forEach((slot, i) => {
          if (found[i] && slot.available < 0) slot.deleted = true;
        });
      },
      () => undefined,
    );
  }

  /**
   * Refuse the whole call if accepting it would pass a limit. Past the
   * pending-and-executing limit, a certificate that writes what a pending
   * certificate waits for, or none of whose inputs is known to be missing, is
   * admitted anyway, in the `pastLimit` budget (bounded in number by
   * `maxPastLimit`, and in age while it waits by `maxPastLimitAgeMs`).
   * Refusing the producer of what a queue waits for can only age that queue;
   * and a certificate whose inputs exist is how every chain of dependent
   * certificates drains, from the bottom, whatever the limits. Returns those
   * admitted past the limit. A certificate already held (or a second copy in
   * the call) adds nothing, and `accept` answers it `already-pending` or
   * `already-executing`: it is not counted, so never refused.
   */
  private admit(offered: readonly CertifiedTransaction[]): ReadonlySet<CertifiedTransaction> | undefined {
    const certificates = this.notHeld(offered);
    const { maxPendingAndExecuting, maxPerObjectQueue, maxQueueAgeMs, maxPastLimit } = this.limits;
    // Awaiting-creation and past-limit certificates have budgets of their own.
    const load = this.budgetLoad.ordinary + this.budgetLoad.consensus;
    let counted = certificates;
    let pastLimit: Set<CertifiedTransaction> | undefined;
    if (load + counted.length > maxPendingAndExecuting) {
      const ordinary: CertifiedTransaction[] = [];
      let toRun = 0;
      let toWait = 0;
      for (const certificate of certificates) {
        // What may run at once counts apart from what will wait: waiting ones must never keep out the one that drains them.
        if (this.mayBeReady(certificate)) toRun++;
        else if (this.unblocks(certificate)) toWait++;
        else {
          ordinary.push(certificate);
          continue;
        }
        (pastLimit ??= new Set()).add(certificate);
      }
      counted = ordinary;
      if (counted.length > 0 && load + counted.length > maxPendingAndExecuting) {
        throw new OverloadedError('pending-and-executing', `${load} pending or executing, limit ${maxPendingAndExecuting}`);
      }
      const waiting = this.pastLimitWaiting.size;
      const running = this.budgetLoad.pastLimit - waiting;
      if (running + toRun > maxPastLimit || waiting + toWait > maxPastLimit) {
        throw new OverloadedError('past-limit', `${running} admitted past the limits to run and ${waiting} waiting, limit ${maxPastLimit} each`);
      }
    }
    // Per-object limits: only objects that this call could take past a limit are counted exactly.
    let adding: Map<ObjectId, number> | undefined;
    let now: number | undefined; // read once per call, and only if something waits
    const check = (certificate: CertifiedTransaction, id: ObjectId, version: number | undefined): void => {
      const slot = this.slots.get(id);
      // The version it reads exists (or the object is gone): it will not wait on this object, so adds nothing to its waits.
      if (slot !== undefined && version !== undefined && (slot.available >= version || slot.deleted)) return;
      const queued = slot?.waiting.size ?? 0;
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
      for (const input of certificate.data.inputs) check(certificate, input.kind === 'shared' ? input.id : input.ref.id, input.kind === 'shared' ? undefined : input.ref.version);
      check(certificate, certificate.data.gas.payment.id, certificate.data.gas.payment.version);
    }
    return pastLimit;
  }

  /** `certificates` less those held (pending or executing) and later copies of one in the list. */
  private notHeld(certificates: readonly CertifiedTransaction[]): readonly CertifiedTransaction[] {
    if (certificates.length === 1) return this.holds((certificates[0] as CertifiedTransaction).digest) ? [] : certificates; // the common call: no set
    const seen = new Set<Digest>();
    const fresh = certificates.filter(({ digest }) => {
      if (this.pending.has(digest) || this.executing.has(digest) || seen.has(digest)) return false;
      seen.add(digest);
      return true;
    });
    return fresh.length === certificates.length ? certificates : fresh;
  }

  /**
   * Could every input of `certificate` exist already? Only objects the
   * manager tracks are known; the store read in `accept` settles the rest.
   * Shared inputs are never on this path (they come through `commit`).
   */
  private mayBeReady(certificate: CertifiedTransaction): boolean {
    const exists = (ref: { id: ObjectId; version: number }): boolean => {
      const slot = this.slots.get(ref.id);
      return slot === undefined || slot.loading > 0 || slot.available >= ref.version;
    };
    return exists(certificate.data.gas.payment) && certificate.data.inputs.every((input) => input.kind !== 'owned' || exists(input.ref));
  }

  /**
   * Does `certificate` write what a pending certificate waits for? It does
   * when it spends an older version of an object someone waits on (its
   * output, or the output of what follows it, is that version), or when it
   * creates an object someone waits on: created ids derive from the digest,
   * so they are known before execution. A version older than the latest one
   * known is spent already and leads nowhere. O(inputs + created objects),
   * and a digest per created object only while something waits for a creation.
   */
  private unblocks(certificate: CertifiedTransaction): boolean {
    const spendsBefore = (ref: { id: ObjectId; version: number }): boolean => {
      const slot = this.slots.get(ref.id);
      return slot !== undefined && slot.maxWaited > ref.version && ref.version >= slot.available;
    };
    // Shared versions come from consensus, not from submission: only owned inputs and gas count.
    if (spendsBefore(certificate.data.gas.payment) || certificate.data.inputs.some((input) => input.kind === 'owned' && spendsBefore(input.ref))) {
      return true;
    }
    if (this.waitingOnCreations === 0) return false;
    const creations = creationCount(certificate.data);
    for (let n = 0; n < creations; n++) {
      const slot = this.slots.get(createdObjectId(certificate.digest, n));
      if (slot !== undefined && slot.available < 0 && slot.waiters.size > 0) return true;
    }
    return false;
  }

  /**
   * The shared versions of a certificate sequenced before and not executed
   * yet (pending, executing, or failed and not resubmitted), else undefined.
   * One held from a submit only was not sequenced: it is sequenced now.
   */
  /** Pending or executing here. */
  private holds(digest: Digest): boolean {
    return this.pending.has(digest) || this.executing.has(digest);
  }

  /**
   * Whether each certificate committed, in order: those `knownNotExecuted`
   * are not asked about, the others in one question to the store.
   */
  private async committedAmong(certificates: readonly CertifiedTransaction[], knownNotExecuted: (index: number) => boolean): Promise<boolean[]> {
    const asked: Digest[] = [];
    for (let i = 0; i < certificates.length; i++) if (!knownNotExecuted(i)) asked.push((certificates[i] as CertifiedTransaction).digest);
    const answers = await areCommitted(this.state.store, asked);
    let next = 0;
    return certificates.map((_, i) => !knownNotExecuted(i) && answers[next++] === true);
  }

  private sequencedBefore(digest: Digest, epochStore: ReturnType<TransactionManagerState['loadEpochStoreOneCallPerTask']>): ReadonlyMap<ObjectId, number> | undefined {
    const assigned = epochStore.sharedVersionsOf(digest);
    if (assigned) return assigned;
    const held = this.pending.get(digest) ?? this.executing.get(digest);
    return held?.commit !== undefined ? NO_SHARED_VERSIONS : undefined;
  }

  /** A released certificate committed or ended: it no longer counts against its budget, nor holds its owned objects. */
  private finished(digest: Digest): void {
    const entry = this.executing.get(digest);
    if (entry === undefined) return;
    this.executing.delete(digest);
    this.budgetLoad[entry.budget]--;
    const { inputs } = entry.certificate.data;
    const { keySlots } = entry;
    for (let k = 0; k < keySlots.length; k++) {
      if (k < inputs.length && inputs[k]?.kind !== 'owned') continue;
      const slot = keySlots[k] as ObjectSlot;
      if (slot.consumer !== entry) continue;
      slot.consumer = undefined;
      const parked = slot.parked;
      slot.parked = undefined;
      // What waited behind it runs now, and finds the object spent, or not.
      if (parked) for (const other of parked) if (other.pending) this.release(other);
      this.dropIfIdle(slot);
    }
    entry.keySlots = NO_SLOTS;
  }

  /** The slot of an owned object (or the gas coin) of `entry` that another released certificate consumes, if any. */
  private consumedByAnother(entry: PendingEntry): ObjectSlot | undefined {
    const { inputs } = entry.certificate.data;
    const { keySlots } = entry;
    for (let k = 0; k < keySlots.length; k++) {
      if (k < inputs.length && inputs[k]?.kind !== 'owned') continue;
      const slot = keySlots[k] as ObjectSlot;
      if (slot.consumer !== undefined && slot.consumer !== entry) return slot;
    }
    return undefined;
  }

  /**
   * A commit wrote `version` of `id`: release whoever waits for exactly that
   * version, and whoever waits for a lower one. Versions only grow, so a lower
   * version not written by now never will be: those certificates are released
   * to find their input unavailable (a sequenced one is executed as
   * cancelled, one submitted directly fails), rather than wait for good.
   */
  private markAvailable(id: ObjectId, version: number): void {
    const slot = this.slots.get(id);
    if (!slot) return; // nothing waits on it, and the store knows it
    if (slot.available < version) slot.available = version;
    const waiting = slot.waiters.get(version);
    if (waiting) {
      slot.waiters.delete(version);
      this.waitedVersions--;
      this.releaseWaiters(slot, waiting);
    }
    this.releaseBelow(slot, version);
  }

  /** Release the waits of `slot` for versions below `version` (they can never be written): each waited version is walked past once. */
  private releaseBelow(slot: ObjectSlot, version: number): void {
    for (;;) {
      const order = slot.waitedOrder; // read again each time: a release may reach this slot again
      if (order === undefined) return;
      if (slot.waitedHead >= order.length) {
        slot.waitedOrder = undefined;
        slot.waitedHead = 0;
        return;
      }
      const waited = order[slot.waitedHead] as number;
      if (waited > version) break;
      slot.waitedHead++;
      if (waited === version) continue; // released as written
      const waiting = slot.waiters.get(waited);
      if (!waiting) continue; // no longer waited for
      slot.waiters.delete(waited);
      this.waitedVersions--;
      this.releaseWaiters(slot, waiting);
    }
    // Walked past: let go of the front once it is most of the list.
    const order = slot.waitedOrder;
    if (order && slot.waitedHead > 32 && slot.waitedHead * 2 > order.length) {
      order.splice(0, slot.waitedHead);
      slot.waitedHead = 0;
    }
  }

  /** A commit deleted `id`: no version of it will ever be written again, so every wait on it ends (as in {@link markAvailable}). */
  private markDeleted(id: ObjectId): void {
    const slot = this.slots.get(id);
    if (!slot) return;
    slot.deleted = true;
    this.releaseBelow(slot, Number.POSITIVE_INFINITY);
  }

  /** A store read found `version` as the latest: every wait for it or an older version is over. */
  private raiseLoaded(slot: ObjectSlot, version: number): void {
    if (version <= slot.available) return;
    slot.available = version;
    for (const [waited, waiting] of slot.waiters) {
      if (waited > version) continue;
      slot.waiters.delete(waited);
      this.waitedVersions--;
      this.releaseWaiters(slot, waiting);
    }
  }

  /** The version of `slot` that `waiting` waited for is available (or never will be): their wait on it ends. */
  private releaseWaiters(slot: ObjectSlot, waiting: readonly PendingEntry[]): void {
    for (const entry of waiting) {
      if (!entry.pending) continue;
      stopWaiting(slot, entry, 1);
      if (--entry.missing === 0) this.release(entry);
    }
  }

  /** Remove a pending certificate from every index except the waiter lists (stale entries there are skipped). */
  private unqueue(entry: PendingEntry): void {
    entry.pending = false;
    this.pending.delete(entry.certificate.digest);
    if (entry.awaitsCreation) {
      this.waitingOnCreations--;
      if (entry.budget === 'awaitingCreation') this.awaitingCreation.delete(entry);
    }
    if (entry.budget === 'pastLimit') this.pastLimitWaiting.delete(entry);
    for (const slot of entry.slots) {
      slot.queue.delete(entry);
      stopWaiting(slot, entry, Number.POSITIVE_INFINITY);
      this.dropIfIdle(slot);
    }
  }

  /**
   * A sequenced certificate found cancelled on acceptance reads only its
   * shared inputs: it leaves the queues of the others at once (it neither
   * waits on them nor consumes them).
   */
  private leaveOwnedQueues(entry: PendingEntry): void {
    const shared = new Set(entry.certificate.data.inputs.flatMap((input) => (input.kind === 'shared' ? [input.id] : [])));
    for (let n = entry.slots.length - 1; n >= 0; n--) {
      const slot = entry.slots[n] as ObjectSlot;
      if (shared.has(slot.id)) continue;
      slot.queue.delete(entry);
      stopWaiting(slot, entry, Number.POSITIVE_INFINITY);
      entry.slots.splice(n, 1);
      this.dropIfIdle(slot);
    }
  }

  /** Let go of a pending certificate that will not be released: its place in its budget is free. */
  private drop(entry: PendingEntry): void {
    this.unqueue(entry);
    this.budgetLoad[entry.budget]--;
  }

  private dropIfIdle(slot: ObjectSlot): void {
    if (slot.queue.size === 0 && slot.loading === 0 && slot.waiters.size === 0 && slot.consumer === undefined) this.slots.delete(slot.id);
  }

  /** Drop pending certificates and their waits (rare: hand-backs, reconfiguration, stop), so the missing-objects count stays true. */
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
    for (const entry of entries) this.drop(entry);
  }

  private announceHandBack(certificate: CertifiedTransaction, limit: OverloadLimit & HandBackReason, detail: string, objectId: ObjectId | undefined): void {
    const error = new OverloadedError(limit, `${detail}; certificate ${certificate.digest} handed back`, objectId);
    this.metrics?.handedBack.inc({ reason: limit });
    this.logger?.warn('Certificate handed back', { digest: certificate.digest, limit, objectId });
    this.handedBackSubject.next({ certificate, error });
  }

  /** Push a certificate whose inputs are all available to the driver; after `close()` it stays held instead. */
  private release(entry: PendingEntry): boolean {
    if (this.closed) return false;
    const { certificate } = entry;
    const { digest } = certificate;
    const taken = this.consumedByAnother(entry);
    if (taken !== undefined) {
      // Held (still pending) until that one ends: see `ObjectSlot.consumer`.
      (taken.parked ??= []).push(entry);
      return false;
    }
    const { inputs } = certificate.data;
    const { keySlots } = entry;
    for (let k = 0; k < keySlots.length; k++) if (k >= inputs.length || inputs[k]?.kind === 'owned') (keySlots[k] as ObjectSlot).consumer = entry;
    this.unqueue(entry);
    this.executing.set(digest, entry);
    this.metrics?.queueAge.observe((this.now() - entry.enqueuedAt) / 1000);
    this.readySubject.next(entry.commit ? { certificate: entry.certificate, commit: entry.commit } : { certificate: entry.certificate });
    return true;
  }
}

/** Record that `version` of the slot's object is now waited for, in ascending order (appended, in the usual case). */
function addWaitedVersion(slot: ObjectSlot, version: number): void {
  const order = slot.waitedOrder;
  if (order === undefined) {
    slot.waitedOrder = [version];
    slot.waitedHead = 0;
    return;
  }
  if (order.length === slot.waitedHead || (order[order.length - 1] as number) < version) {
    order.push(version);
    return;
  }
  // Out of order (a later version was waited for first): insert in place, past the front already walked.
  let low = slot.waitedHead;
  let high = order.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((order[middle] as number) < version) low = middle + 1;
    else high = middle;
  }
  order.splice(low, 0, version);
}

/**
 * Does a sequenced certificate (not cancelled at sequencing: its keys are
 * every input, then the gas coin) name an owned version known spent? Versions
 * only grow, so it is cancelled whatever happens. Deciding it now, rather than
 * once its other inputs exist, gives the same wait as a claim would have: a
 * claim is dropped once its version is spent, and a later certificate naming
 * it must then not wait for more than one that found the claim.
 */
function namesSpent(entry: PendingEntry, keySlots: readonly ObjectSlot[], keys: readonly { version: number }[]): boolean {
  for (let k = 0; k < keys.length; k++) {
    if (isSharedKey(entry, k)) continue;
    const slot = keySlots[k] as ObjectSlot;
    const owned = k === entry.certificate.data.inputs.length || entry.certificate.data.inputs[k]?.kind === 'owned';
    if (owned && (slot.deleted || slot.available > (keys[k] as { version: number }).version)) return true;
  }
  return false;
}

/** Is key `k` of a (not cancelled) entry a shared input's? */
function isSharedKey(entry: PendingEntry, k: number): boolean {
  return entry.certificate.data.inputs[k]?.kind === 'shared';
}

/** The keys of a certificate's shared inputs, at their assigned versions. */
function sharedKeys(certificate: CertifiedTransaction, shared: ReadonlyMap<ObjectId, number>): { id: ObjectId; version: number }[] {
  const keys: { id: ObjectId; version: number }[] = [];
  for (const input of certificate.data.inputs) if (input.kind === 'shared') keys.push({ id: input.id, version: shared.get(input.id) ?? input.initialSharedVersion });
  return keys;
}

/** The first object a pending certificate waits for that does not exist yet. */
function missingObjectOf(entry: PendingEntry): ObjectId | undefined {
  return entry.slots.find((slot) => slot.available < 0)?.id;
}

/** An input of a pending certificate whose version does not exist yet (the first found). */
function waitedObjectOf(entry: PendingEntry): ObjectId | undefined {
  for (const slot of entry.slots) {
    for (const [version, waiting] of slot.waiters) if (version > slot.available && waiting.includes(entry)) return slot.id;
  }
  return undefined;
}

/** The objects a certificate reads, gas coin included (an id may repeat). */
function inputIds(certificate: CertifiedTransaction): ObjectId[] {
  const ids = certificate.data.inputs.map((input) => (input.kind === 'shared' ? input.id : input.ref.id));
  ids.push(certificate.data.gas.payment.id);
  return ids;
}

/** The certificate waiting longest for a version of a slot's object. */
function oldestIn(slot: ObjectSlot): PendingEntry | undefined {
  return slot.waitingOrder.oldest(slot.waiting);
}

/** Add `entry` to an age queue and to its arrival order (`expire` walks it oldest first, and stops at the first young one). */
function addInArrivalOrder(queue: Set<PendingEntry>, order: ArrivalOrder<PendingEntry>, entry: PendingEntry): void {
  if (queue.has(entry)) return;
  queue.add(entry);
  order.add(entry, queue);
}

/** One more input of `entry` waits on the slot's object. */
function addWaiting(slot: ObjectSlot, entry: PendingEntry): void {
  const { waiting } = slot;
  const waits = waiting.get(entry);
  if (waits !== undefined) {
    waiting.set(entry, waits + 1);
    return;
  }
  waiting.set(entry, 1);
  slot.waitingOrder.add(entry, waiting);
}

/** `count` fewer inputs of `entry` wait on the slot's object (Infinity: none any more). */
function stopWaiting(slot: ObjectSlot, entry: PendingEntry, count: number): void {
  const waits = slot.waiting.get(entry);
  if (waits === undefined) return;
  if (waits > count) slot.waiting.set(entry, waits - count);
  else slot.waiting.delete(entry);
  if (slot.waiting.size === 0) slot.waitingOrder.clear();
}

/** How many of `certificates` read each object (each certificate counted once per object). */
function countInputs(certificates: readonly CertifiedTransaction[]): Map<ObjectId, number> {
  const counts = new Map<ObjectId, number>();
  for (const certificate of certificates) {
    for (const id of new Set(inputIds(certificate))) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
