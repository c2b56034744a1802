import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { InvalidOptionError } from '../../errors';
import type { BlsCommittee } from '../bls/bls-committee';
import { checkBeforePairing, signatureDoesNotVerify, signatureNotInGroup } from '../bls/quorum-precheck';
import type { AuthorityQuorumSignature } from '../bls/quorum-signature';
import { InvalidCertificateError } from '../errors';
import { VerifierClosedError, VerifierCrashedError } from './errors';
import { type WorkerScript, defaultWorkerScript } from './worker-script';
import { snapshotQuorum } from './quorum-snapshot';
import { type FromWorker, type PackedItem, type ToWorker, Verdict, packBatch } from './wire';

/** Options of a {@link QuorumVerifierPool}. */
export interface QuorumVerifierPoolOptions {
  /** Worker threads. Default: one per core the process may use (`os.availableParallelism()`). */
  readonly workers?: number;
  /** Items per batch handed to one worker; a longer `verify` call is split. Default 64. */
  readonly batchSize?: number;
  /**
   * Batches one worker holds at once: one verifying, the others already in
   * its port, so that it never waits for the main thread between two. Default 2.
   */
  readonly batchesPerWorker?: number;
  /** The worker's script. Default: {@link defaultWorkerScript}. For bundlers, and for fault injection in tests. */
  readonly workerScript?: WorkerScript;
}

/** One quorum signature to verify: the single path's arguments (`verifyQuorumSignature`). */
export interface QuorumCheck {
  readonly committee: BlsCommittee;
  /** The certified digest, 32 bytes. */
  readonly digest: Uint8Array;
  readonly quorum: AuthorityQuorumSignature;
  /** Named in the refusal. */
  readonly digestHex?: string;
}

/**
 * A check's verdict: `undefined` when the quorum verifies; the refusal
 * `verifyQuorumSignature` throws for the same arguments; or
 * `VerifierCrashedError` when the check could not be run.
 */
export type QuorumCheckResult = undefined | InvalidCertificateError | VerifierCrashedError;

/** What `verifyCertificates` verifies on: a {@link QuorumVerifierPool}, or a stand-in (tests, another backend). */
export interface QuorumVerifier {
  /** The batch size it works best with: `verifyCertificates`' default `maxBatchSize`. */
  readonly batchSize: number;
  /** The verdict of each check, in order; rejects only with `VerifierClosedError`. */
  verify(checks: readonly QuorumCheck[]): Promise<QuorumCheckResult[]>;
  /** What it has done so far, if it keeps count (a `QuorumVerifierPool` does): for dashboards. */
  stats?(): VerifierPoolStats;
}

/** What a pool has done so far, for dashboards: sample twice and divide. */
export interface VerifierPoolStats {
  /** Worker threads alive now. */
  readonly workers: number;
  /** Batches waiting for a worker. */
  readonly queuedBatches: number;
  /** Batches with a worker. */
  readonly inFlightBatches: number;
  /** Batches and items the workers have returned verdicts for. */
  readonly batches: number;
  readonly items: number;
  /** Worker threads that ended without being closed. */
  readonly crashes: number;
  /** Time workers held at least one batch, summed over workers (ms): busy share = Δ busyMs / (Δ time × workers). */
  readonly busyMs: number;
}

/** A verdict the pool itself gives an item whose worker crashed twice on it. */
const CRASHED = 255;
/** Committees a worker keeps; the least recently used one is forgotten past this. */
const COMMITTEES_PER_WORKER = 8;
/** Workers in a row that end before they are ready, after which the pool gives up. */
const START_FAILURES = 3;

interface CommitteeEntry {
  readonly id: number;
  readonly epoch: number;
  readonly publicKeys: Uint8Array;
}

interface Task {
  readonly items: readonly PackedItem[];
  readonly committees: readonly CommitteeEntry[];
  /** Crashes this task (or the task it was split from) went through. */
  crashes: number;
  readonly settle: (verdicts: ArrayLike<number>) => void;
  readonly fail: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  ready: boolean;
  /** Committee ids this worker holds, least recently used first. */
  readonly loaded: number[];
  readonly inFlight: Map<number, Task>;
  busySince: number;
  lastError?: string;
}

/**
 * A pool of worker threads that verify BLS quorum signatures in batches. The
 * main thread does no signature arithmetic: it runs the checks that need none
 * (shape, epoch, bitmap, stake), then sends each worker a committee's public
 * keys once, and per item the digest, the aggregate signature and the signer
 * bitmap. A worker aggregates the keys and verifies the batch
 * (`verifySignatureSets`, split on failure). A worker that dies is replaced,
 * and the batch it was verifying is verified again, in halves, so that an
 * item that kills workers ends alone: alone, it gets `VerifierCrashedError`
 * (after a second crash, when it was alone from the start). Nothing is accepted
 * that no worker verified. Close it with {@link close}, or its threads keep
 * the process alive.
 */
export class QuorumVerifierPool implements QuorumVerifier {
  /** Worker threads the pool keeps. */
  readonly size: number;
  readonly batchSize: number;
  private readonly batchesPerWorker: number;
  private readonly script: WorkerScript;
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private readonly committeeIds = new WeakMap<BlsCommittee, CommitteeEntry>();
  private nextCommitteeId = 1;
  private nextBatch = 1;
  private startFailures = 0;
  private closing?: Promise<void>;
  private broken?: VerifierClosedError;
  private readonly counts = { batches: 0, items: 0, crashes: 0, busyMs: 0 };

  /** @throws InvalidOptionError for a count that is not a positive integer. */
  constructor(options: QuorumVerifierPoolOptions = {}) {
    this.size = positive('workers', options.workers ?? os.availableParallelism());
    this.batchSize = positive('batchSize', options.batchSize ?? 64);
    this.batchesPerWorker = positive('batchesPerWorker', options.batchesPerWorker ?? 2);
    this.script = options.workerScript ?? defaultWorkerScript();
    for (let i = 0; i < this.size; i++) this.spawn();
  }

  /**
   * The verdict of each check, in order: the batch path's equivalent of
   * calling `verifyQuorumSignature` on each. Rejects with
   * `VerifierClosedError` when the pool is closed (or cannot start workers).
   */
  verify(checks: readonly QuorumCheck[]): Promise<QuorumCheckResult[]> {
    if (this.closing !== undefined) return Promise.reject(new VerifierClosedError('closed'));
    if (this.broken !== undefined) return Promise.reject(this.broken);
    const results: QuorumCheckResult[] = new Array<QuorumCheckResult>(checks.length);
    const passed: { index: number; item: PackedItem; committee: CommitteeEntry }[] = [];
    checks.forEach((asked, index) => {
      // Checked and packed from one copy: the caller's arrays may change before the batch leaves.
      const check = snapshotCheck(asked);
      if (check instanceof InvalidCertificateError) {
        results[index] = check;
        return;
      }
      const refusal = precheck(check);
      if (refusal !== undefined) {
        results[index] = refusal;
        return;
      }
      const committee = this.committeeEntry(check.committee);
      passed.push({ index, committee, item: { committeeId: committee.id, digest: check.digest, signature: check.quorum.signature, signers: check.quorum.signers } });
    });
    const tasks: Promise<void>[] = [];
    for (let from = 0; from < passed.length; from += this.batchSize) {
      const chunk = passed.slice(from, from + this.batchSize);
      tasks.push(
        new Promise<void>((resolve, reject) => {
          this.queue.push({
            items: chunk.map((p) => p.item),
            committees: [...new Set(chunk.map((p) => p.committee))],
            crashes: 0,
            settle: (verdicts) => {
              chunk.forEach((p, k) => (results[p.index] = resultOf(verdicts[k] ?? CRASHED, checks[p.index]?.digestHex)));
              resolve();
            },
            fail: reject,
          });
        }),
      );
    }
    this.dispatch();
    return Promise.all(tasks).then(() => results);
  }

  stats(): VerifierPoolStats {
    const now = performance.now();
    let inFlight = 0;
    let busy = this.counts.busyMs;
    for (const slot of this.slots) {
      inFlight += slot.inFlight.size;
      if (slot.inFlight.size > 0) busy += now - slot.busySince;
    }
    return { workers: this.slots.size, queuedBatches: this.queue.length, inFlightBatches: inFlight, batches: this.counts.batches, items: this.counts.items, crashes: this.counts.crashes, busyMs: busy };
  }

  /** Ends every worker thread; pending `verify` calls reject with `VerifierClosedError`. Resolves when all have exited. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.failAll(new VerifierClosedError('closed'));
    await Promise.all([...this.slots].map((slot) => slot.worker.terminate()));
    this.slots.clear();
  }

  private committeeEntry(committee: BlsCommittee): CommitteeEntry {
    let entry = this.committeeIds.get(committee);
    if (entry === undefined) {
      const publicKeys = new Uint8Array(committee.size * 48);
      committee.members.forEach((member, i) => publicKeys.set(member.publicKey, i * 48));
      entry = { id: this.nextCommitteeId++, epoch: committee.epoch, publicKeys };
      this.committeeIds.set(committee, entry);
    }
    return entry;
  }

  private spawn(): void {
    const { filename, execArgv, workerData } = this.script;
    const worker = new Worker(filename, { ...(execArgv === undefined ? {} : { execArgv: [...execArgv] }), ...(workerData === undefined ? {} : { workerData }) });
    const slot: Slot = { worker, ready: false, loaded: [], inFlight: new Map(), busySince: 0 };
    this.slots.add(slot);
    worker.on('message', (message: FromWorker) => this.onMessage(slot, message));
    worker.on('error', (error) => (slot.lastError = error.message));
    worker.on('exit', (code) => this.onExit(slot, code));
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    if (message.type === 'ready') {
      slot.ready = true;
      this.startFailures = 0;
    } else {
      const task = slot.inFlight.get(message.batch);
      if (task === undefined) return;
      slot.inFlight.delete(message.batch);
      if (slot.inFlight.size === 0) this.counts.busyMs += performance.now() - slot.busySince;
      this.counts.batches++;
      this.counts.items += task.items.length;
      task.settle(message.verdicts);
    }
    this.dispatch();
  }

  private onExit(slot: Slot, code: number): void {
    if (!this.slots.delete(slot) || this.closing !== undefined) return;
    this.counts.crashes++;
    if (slot.inFlight.size > 0) this.counts.busyMs += performance.now() - slot.busySince;
    // A worker verifies its batches in the order they were sent: the oldest was running when it died, the
    // others were waiting in its port and go back as they are. All go back first, oldest first.
    const [running, ...waiting] = slot.inFlight.values();
    this.queue.unshift(...waiting);
    if (running !== undefined) this.requeueAfterCrash(running);
    if (!slot.ready && ++this.startFailures >= START_FAILURES) {
      this.broken = new VerifierClosedError('start-failed', slot.lastError ?? `a worker exited with code ${code} before it was ready`);
      this.failAll(this.broken);
      for (const other of this.slots) void other.worker.terminate();
      return;
    }
    this.spawn();
    this.dispatch();
  }

  /** A batch whose worker died: verified again in halves, so that an item that kills workers ends alone. */
  private requeueAfterCrash(task: Task): void {
    const crashes = task.crashes + 1;
    if (task.items.length === 1) {
      if (crashes >= 2) {
        task.settle([CRASHED]);
        return;
      }
      this.queue.unshift({ ...task, crashes });
      return;
    }
    const middle = task.items.length >> 1;
    const verdicts = new Array<number>(task.items.length);
    let halvesLeft = 2;
    const half = (from: number, to: number): Task => ({
      items: task.items.slice(from, to),
      committees: task.committees,
      crashes,
      settle: (part) => {
        for (let k = from; k < to; k++) verdicts[k] = part[k - from] ?? CRASHED;
        if (--halvesLeft === 0) task.settle(verdicts);
      },
      fail: task.fail,
    });
    this.queue.unshift(half(0, middle), half(middle, task.items.length));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.leastLoadedReadySlot();
      if (slot === undefined) return;
      const task = this.queue.shift() as Task;
      this.ensureCommittees(slot, task.committees);
      const batch = this.nextBatch++;
      if (slot.inFlight.size === 0) slot.busySince = performance.now();
      slot.inFlight.set(batch, task);
      const items = packBatch(task.items);
      slot.worker.postMessage({ type: 'verify', batch, items } satisfies ToWorker, [items]);
    }
  }

  private leastLoadedReadySlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (!slot.ready || slot.inFlight.size >= this.batchesPerWorker) continue;
      if (best === undefined || slot.inFlight.size < best.inFlight.size) best = slot;
    }
    return best;
  }

  /** The worker's port is ordered: keys sent before a batch arrive before it. */
  private ensureCommittees(slot: Slot, committees: readonly CommitteeEntry[]): void {
    const needed = new Set(committees.map((c) => c.id));
    for (const committee of committees) {
      const at = slot.loaded.indexOf(committee.id);
      if (at >= 0) {
        slot.loaded.splice(at, 1);
      } else {
        slot.worker.postMessage({ type: 'committee', id: committee.id, epoch: committee.epoch, publicKeys: committee.publicKeys } satisfies ToWorker);
      }
      slot.loaded.push(committee.id);
    }
    for (let i = 0; slot.loaded.length > COMMITTEES_PER_WORKER && i < slot.loaded.length; ) {
      const id = slot.loaded[i] as number;
      if (needed.has(id)) {
        i++;
        continue;
      }
      slot.loaded.splice(i, 1);
      slot.worker.postMessage({ type: 'forget', id } satisfies ToWorker);
    }
  }

  private failAll(error: Error): void {
    const tasks = [...this.queue.splice(0)];
    for (const slot of this.slots) tasks.push(...slot.inFlight.values());
    for (const slot of this.slots) slot.inFlight.clear();
    for (const task of tasks) task.fail(error);
  }
}

function positive(option: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidOptionError(option, value, 'an integer >= 1');
  return value;
}

/** The single path's checks before the pairing (the same function); a refusal or nothing. */
/** `check` with its bytes copied (see `snapshotQuorum`), or a refusal when it cannot even be read. */
function snapshotCheck(check: QuorumCheck): QuorumCheck | InvalidCertificateError {
  try {
    const { committee, digestHex } = check;
    const { digest, quorum } = snapshotQuorum(check.digest, check.quorum);
    return digestHex === undefined ? { committee, digest, quorum } : { committee, digest, quorum, digestHex };
  } catch {
    return new InvalidCertificateError('malformed', 'a quorum signature is an object with an epoch, a signature and signers');
  }
}

function precheck(check: QuorumCheck): InvalidCertificateError | undefined {
  try {
    checkBeforePairing(check.committee, check.digest, check.quorum, check.digestHex);
  } catch (error) {
    if (error instanceof InvalidCertificateError) return error;
    return new InvalidCertificateError('malformed', 'a quorum signature is an object with an epoch, a signature and signers', check.digestHex);
  }
  return undefined;
}

function resultOf(verdict: number, digestHex: string | undefined): QuorumCheckResult {
  switch (verdict) {
    case Verdict.valid:
      return undefined;
    case Verdict.notInGroup:
      return signatureNotInGroup(digestHex);
    case Verdict.doesNotVerify:
      return signatureDoesNotVerify(digestHex);
    default:
      return new VerifierCrashedError();
  }
}
