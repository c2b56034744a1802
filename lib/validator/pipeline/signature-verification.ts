import { Subject, type Subscription } from 'rxjs';
import { InvalidOptionError } from '../../errors';
import type { CertifiedTransaction } from '../certificates/certificate-types';
import { digestBytes } from '../certificates/certificate-signature-input';
import type { Committee } from '../certificates/committee';
import { type InvalidCertificateError, OverloadedError } from '../errors';
import { type QuorumVerifier, QuorumVerifierPool, type VerifierPoolStats } from '../verifier/verifier-pool';
import type { VerifiedDigestCache } from '../verifier/verified-digest-cache';
import { type CertificateVerification, type VerifierUnavailable, verifyCertificates } from '../verifier/verify-certificates';
import type { WorkerScript } from '../verifier/worker-script';

/** How a pipeline verifies certificates' quorum signatures: option `verification` of `startValidatorPipeline`. */
export interface PipelineVerificationOptions {
  /**
   * A verifier shared by several pipelines (a `QuorumVerifierPool`): used,
   * and never closed by this pipeline. Without it the pipeline starts a pool
   * of its own at its first certificate, and closes it when it stops.
   */
  readonly pool?: QuorumVerifier;
  /** Worker threads of the pipeline's own pool (ignored with `pool`). Default: one per core (`os.availableParallelism()`). */
  readonly workers?: number;
  /** The own pool's worker script (ignored with `pool`): for bundlers, and for fault injection in tests. */
  readonly workerScript?: WorkerScript;
  /** A batch leaves this long after its first certificate, if it is not full before (default 1 ms). */
  readonly maxWaitMs?: number;
  /**
   * Certificates being verified, at most: a call that would take more is
   * refused whole with `OverloadedError` (`pending-verification`), unless
   * nothing is being verified (so that any call can pass once). Default 8,192
   * (about 4 s of verification at committee 100 on two cores).
   */
  readonly maxPending?: number;
  /** Verified quorums remembered, so that a certificate seen twice (submitted, then in a commit) is verified once; `false` for none. Default: 100,000 entries. */
  readonly cache?: VerifiedDigestCache | false;
}

/** What a pipeline's verification has done so far, for dashboards (sample twice and divide). */
export interface PipelineVerificationStats {
  /** Certificates whose quorum signature verified, duplicates included. */
  readonly verified: number;
  /** Of those, verified once for an identical certificate and not again (the cache, or joined in flight). */
  readonly duplicates: number;
  /** Certificates refused: their signature does not verify, or their quorum is not one. */
  readonly refused: number;
  /** Certificates the verifier could give no verdict (a worker died on them, the pool closed). */
  readonly unverified: number;
  /** Certificates being verified now. */
  readonly pending: number;
  /** The pool's own figures (`QuorumVerifierPool.stats`), when it has them and has started. */
  readonly pool: VerifierPoolStats | undefined;
}

/** One certificate on its way through the verifier, and the call it belongs to. */
interface Job {
  readonly certificate: CertifiedTransaction;
  readonly digest: Uint8Array;
  readonly index: number;
  readonly call: Call;
}

/** A `verify` call: settled once every one of its certificates has its verdict. */
interface Call {
  left: number;
  /** The refusal of its first certificate in order that did not verify. */
  failure: { readonly index: number; readonly error: InvalidCertificateError | VerifierUnavailable } | undefined;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

const DEFAULT_MAX_PENDING = 8_192;

/**
 * A pipeline's signature checks, off the main thread: certificates that
 * passed the door go, as a stream, through `verifyCertificates` (batches of
 * the pool's size or 1 ms, the verified-quorum cache) onto a pool of worker
 * threads. The main thread does no curve arithmetic. Each `verify` call
 * resolves once all its certificates verified, or rejects with the refusal
 * of the first one in order that did not (the single path's
 * `InvalidCertificateError`, or why it could not be verified): a call is
 * accepted whole or not at all, as before the pool.
 */
export class PipelineSignatureVerifier {
  private readonly maxPending: number;
  private readonly jobs = new Subject<Job>();
  private readonly calls = new Set<Call>();
  private ownPool: QuorumVerifierPool | undefined;
  private pool: QuorumVerifier | undefined;
  private subscription: Subscription | undefined;
  private closed: { readonly error: Error; readonly done: Promise<void> } | undefined;
  private pending = 0;
  private readonly counts = { verified: 0, duplicates: 0, refused: 0, unverified: 0 };

  /**
   * @param committee The committee certificates are verified against, read when they arrive (the current epoch's).
   * @throws InvalidOptionError for an option out of range.
   */
  constructor(
    private readonly options: PipelineVerificationOptions,
    private readonly committee: () => Committee,
  ) {
    const { maxPending = DEFAULT_MAX_PENDING, workers, maxWaitMs } = options;
    if (!Number.isSafeInteger(maxPending) || maxPending < 1) throw new InvalidOptionError('verification.maxPending', maxPending, 'an integer >= 1');
    if (workers !== undefined && (!Number.isSafeInteger(workers) || workers < 1)) throw new InvalidOptionError('verification.workers', workers, 'an integer >= 1');
    if (maxWaitMs !== undefined && (!Number.isFinite(maxWaitMs) || maxWaitMs < 0)) throw new InvalidOptionError('verification.maxWaitMs', maxWaitMs, 'a number of milliseconds >= 0');
    this.maxPending = maxPending;
  }

  /**
   * Resolves when every one of `certificates` (through the door already) has
   * a quorum signature that verifies for the current committee.
   * @throws InvalidCertificateError of the first certificate in order that is refused;
   * VerifierCrashedError or VerifierClosedError of the first that could not be verified;
   * OverloadedError `pending-verification` (nothing sent); the close's error once closed.
   */
  verify(certificates: readonly CertifiedTransaction[]): Promise<void> {
    if (this.closed) return Promise.reject(this.closed.error);
    if (certificates.length === 0) return Promise.resolve();
    if (this.pending > 0 && this.pending + certificates.length > this.maxPending) {
      return Promise.reject(new OverloadedError('pending-verification', `${this.pending} certificates being verified, ${certificates.length} more would pass the limit of ${this.maxPending}`));
    }
    this.start();
    return new Promise<void>((resolve, reject) => {
      const call: Call = { left: certificates.length, failure: undefined, resolve, reject };
      this.calls.add(call);
      this.pending += certificates.length;
      certificates.forEach((certificate, index) => this.jobs.next({ certificate, digest: digestBytes(certificate.digest), index, call }));
    });
  }

  stats(): PipelineVerificationStats {
    return { ...this.counts, pending: this.pending, pool: this.pool?.stats?.() };
  }

  /**
   * Take nothing more: calls pending and later reject with `error`. The
   * pipeline's own pool is closed (its threads exit; resolves when they
   * have), a shared one is left to its owner.
   */
  close(error: Error): Promise<void> {
    if (this.closed) return this.closed.done;
    this.subscription?.unsubscribe();
    for (const call of this.calls) call.reject(error);
    this.calls.clear();
    this.pending = 0;
    this.closed = { error, done: this.ownPool?.close() ?? Promise.resolve() };
    return this.closed.done;
  }

  /** The pool and the operator, at the first certificate: a pipeline that verifies nothing starts no thread. */
  private start(): void {
    if (this.subscription) return;
    const { pool, workers, workerScript, maxWaitMs, cache } = this.options;
    const verifier = pool ?? new QuorumVerifierPool({ ...(workers === undefined ? {} : { workers }), ...(workerScript === undefined ? {} : { workerScript }) });
    if (pool === undefined) this.ownPool = verifier as QuorumVerifierPool;
    this.pool = verifier;
    this.subscription = this.jobs
      .pipe(
        verifyCertificates<Job>({
          pool: verifier,
          signatureOf: (job) => ({ digest: job.digest, quorum: job.certificate.quorumSignature, digestHex: job.certificate.digest }),
          // The current committee for every epoch: a quorum of another is refused `wrong-epoch` by the same check as on the single path.
          committeeFor: () => this.committee(),
          // The pipeline bounds what it sends (maxPending above), a whole call at a time.
          maxPending: Number.MAX_SAFE_INTEGER,
          ...(maxWaitMs === undefined ? {} : { maxWaitMs }),
          ...(cache === undefined ? {} : { cache }),
        }),
      )
      .subscribe({
        next: (verdict) => this.settle(verdict),
        // Only a bug of the verifier's own (a pool rejecting with what it must not): nothing can be verified any more.
        error: (error: unknown) => void this.close(error instanceof Error ? error : new Error(String(error))),
      });
  }

  private settle(verdict: CertificateVerification<Job>): void {
    const { call, index } = verdict.item;
    if (!this.calls.has(call)) return;
    this.pending--;
    if (verdict.kind === 'verified') {
      this.counts.verified++;
      if (verdict.duplicate) this.counts.duplicates++;
    } else {
      this.counts[verdict.kind === 'refused' ? 'refused' : 'unverified']++;
      if (call.failure === undefined || index < call.failure.index) call.failure = { index, error: verdict.error };
    }
    if (--call.left > 0) return;
    this.calls.delete(call);
    if (call.failure === undefined) call.resolve();
    else call.reject(call.failure.error);
  }
}
