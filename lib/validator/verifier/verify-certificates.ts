import { Observable, type OperatorFunction, type SchedulerLike, Subject, asyncScheduler } from 'rxjs';
import { InvalidOptionError } from '../../errors';
import type { BlsCommittee } from '../bls/bls-committee';
import { checkQuorumShape } from '../bls/quorum-precheck';
import type { AuthorityQuorumSignature } from '../bls/quorum-signature';
import { InvalidCertificateError } from '../errors';
import { batchBySizeOrTime } from './batch-by-size-or-time';
import { VerifierClosedError, VerifierCrashedError, VerifierOverloadedError } from './errors';
import { snapshotQuorum } from './quorum-snapshot';
import { type QuorumCheck, type QuorumCheckResult, type QuorumVerifier, QuorumVerifierPool } from './verifier-pool';
import { VerifiedDigestCache, quorumCacheKey } from './verified-digest-cache';
import { DIGEST_BYTES, SIGNATURE_BYTES } from './wire';

/** What the verifier needs of one item: what `verifyQuorumSignature` takes, but the committee. */
export interface QuorumSignatureInput {
  /** The certified digest, 32 bytes. */
  readonly digest: Uint8Array;
  readonly quorum: AuthorityQuorumSignature;
  /** Named in refusals. */
  readonly digestHex?: string;
}

/** Options of {@link verifyCertificates}. */
export interface VerifyCertificatesOptions<T> {
  /**
   * An item's quorum signature and the digest it certifies. It may throw an
   * `InvalidCertificateError` (a certificate layer's own checks, e.g. its
   * digest), which becomes the item's refusal; any other throw errors the stream.
   */
  readonly signatureOf: (item: T) => QuorumSignatureInput;
  /**
   * The committee that verifies quorums of `epoch`, or `undefined` when there
   * is none (the item is refused `wrong-epoch`). Called once per item.
   */
  readonly committeeFor: (epoch: number) => BlsCommittee | undefined;
  /** A pool to verify on, shared and closed by its owner. Default: a pool of the operator's own, one per subscription, closed with it. */
  readonly pool?: QuorumVerifier;
  /** The size of the operator's own pool (ignored with `pool`). Default: one worker per core. */
  readonly workers?: number;
  /** A batch is sent when it holds this many items. Default: the pool's `batchSize` (64). */
  readonly maxBatchSize?: number;
  /** ... or this long after its first item arrived, whichever is first. Default 1 ms. */
  readonly maxWaitMs?: number;
  /**
   * Items accepted and not yet emitted. An item arriving past it is emitted
   * at once as `unverified` (`VerifierOverloadedError`). Default 4,096.
   */
  readonly maxPending?: number;
  /** The verified-quorum cache, shareable between operators; `false` for none. Default: one of 100,000 entries per subscription. */
  readonly cache?: VerifiedDigestCache | false;
  /** Schedules the batch window's timer (tests pass a virtual-time scheduler). Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** An unverified item's reason: not a forgery, but no verdict (it may be submitted again). */
export type VerifierUnavailable = VerifierOverloadedError | VerifierCrashedError | VerifierClosedError;

/**
 * One item's verdict. `duplicate`: its quorum was verified for an identical
 * item, earlier (the cache) or in the same batch or one in flight, and not
 * again for it. `refused`: the error `verifyQuorumSignature` throws for it.
 */
export type CertificateVerification<T> =
  | { readonly kind: 'verified'; readonly item: T; readonly duplicate: boolean }
  | { readonly kind: 'refused'; readonly item: T; readonly error: InvalidCertificateError }
  | { readonly kind: 'unverified'; readonly item: T; readonly error: VerifierUnavailable };

/** An item on its way: its place in the output order, and what to check. */
interface Entry<T> {
  readonly seq: number;
  readonly item: T;
  readonly check: QuorumCheck;
  readonly key: string | undefined;
}

/** The items waiting for one quorum's verdict: the first one sent, and identical ones after it. */
type Twins<T> = { seq: number; item: T }[];

/**
 * Verifies the BLS quorum signature of each item on a pool of worker
 * threads, in batches, and emits exactly one {@link CertificateVerification}
 * per item.
 *
 * - **Order**: outputs follow input order, except an item refused for
 *   overload (`maxPending`), which is emitted at once, ahead of earlier ones.
 * - **Batching**: a batch leaves when it holds `maxBatchSize` items or
 *   `maxWaitMs` after its first item, so at low load an item waits at most
 *   `maxWaitMs` (1 ms, plus the timer's lateness) before its verification
 *   starts. The source's completion sends the open batch at once.
 * - **Duplicates**: a quorum already verified (the bounded LRU cache, as
 *   Sui's), or being verified for an identical item, is not verified again.
 * - **Verdicts**: the same as the single path: `refused` carries the very
 *   `InvalidCertificateError` (same problem) `verifyQuorumSignature` throws.
 *   A worker crash is survived (the pool verifies the batch again); nothing
 *   is emitted `verified` that a worker did not verify.
 * - **Lifecycle**: the source's completion waits for every pending verdict,
 *   then completes; unsubscribing drops them. Either way the operator's own
 *   pool is closed, and no worker thread outlives the subscription. A source
 *   error is passed on at once (pending verdicts are dropped).
 *
 * @throws InvalidOptionError for an option out of range.
 */
export function verifyCertificates<T>(options: VerifyCertificatesOptions<T>): OperatorFunction<T, CertificateVerification<T>> {
  const settings = checkedOptions(options);
  return (source) =>
    new Observable<CertificateVerification<T>>((subscriber) => {
      const shared = options.pool;
      const ownPool = shared === undefined ? new QuorumVerifierPool(options.workers === undefined ? {} : { workers: options.workers }) : undefined;
      const pool: QuorumVerifier = shared ?? (ownPool as QuorumVerifierPool);
      const cache = options.cache === false ? undefined : (options.cache ?? new VerifiedDigestCache());
      const maxBatchSize = settings.maxBatchSize ?? pool.batchSize;
      const ready = new Map<number, CertificateVerification<T>>();
      const twins = new Map<string, Twins<T>>();
      const toVerify = new Subject<Entry<T>>();
      let nextSeq = 0;
      let nextToEmit = 0;
      let sourceDone = false;

      const pending = () => nextSeq - nextToEmit;
      const settle = (seq: number, outcome: CertificateVerification<T>) => {
        ready.set(seq, outcome);
        for (let next = ready.get(nextToEmit); next !== undefined; next = ready.get(nextToEmit)) {
          ready.delete(nextToEmit++);
          subscriber.next(next);
        }
        if (sourceDone && pending() === 0) subscriber.complete();
      };
      const give = (entry: Entry<T>, result: QuorumCheckResult | VerifierClosedError) => {
        const waiting: Twins<T> = (entry.key === undefined ? undefined : twins.get(entry.key)) ?? [{ seq: entry.seq, item: entry.item }];
        if (entry.key !== undefined) twins.delete(entry.key);
        if (result === undefined && entry.key !== undefined) cache?.add(entry.key);
        waiting.forEach(({ seq, item }, i) => settle(seq, outcomeOf(item, result, i > 0)));
      };
      const verify = (batch: readonly Entry<T>[]) => {
        pool.verify(batch.map((entry) => entry.check)).then(
          (results) => batch.forEach((entry, i) => give(entry, results[i])),
          (error: unknown) => {
            if (!(error instanceof VerifierClosedError)) subscriber.error(error);
            else batch.forEach((entry) => give(entry, error));
          },
        );
      };
      const batches = toVerify.pipe(batchBySizeOrTime(maxBatchSize, settings.maxWaitMs, settings.scheduler)).subscribe(verify);

      const accept = (item: T) => {
        if (pending() >= settings.maxPending) {
          subscriber.next({ kind: 'unverified', item, error: new VerifierOverloadedError(settings.maxPending) });
          return;
        }
        const seq = nextSeq++;
        const prepared = prepare(item, options, cache);
        if (prepared instanceof InvalidCertificateError) {
          settle(seq, { kind: 'refused', item, error: prepared });
          return;
        }
        const { check, key } = prepared;
        if (key !== undefined && cache?.has(key) === true) {
          settle(seq, { kind: 'verified', item, duplicate: true });
          return;
        }
        const twinsOfKey = key === undefined ? undefined : twins.get(key);
        if (twinsOfKey !== undefined) {
          twinsOfKey.push({ seq, item });
          return;
        }
        if (key !== undefined) twins.set(key, [{ seq, item }]);
        toVerify.next({ seq, item, check, key });
      };

      const subscription = source.subscribe({
        next: (item) => {
          try {
            accept(item);
          } catch (error) {
            subscriber.error(error);
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          toVerify.complete();
          if (pending() === 0) subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        batches.unsubscribe();
        void ownPool?.close();
      };
    });
}

/** What to check for `item`, with its cache key when it can have one; or its refusal. Throws what the callbacks throw, but refusals. */
function prepare<T>(item: T, options: VerifyCertificatesOptions<T>, cache: VerifiedDigestCache | undefined): { check: QuorumCheck; key: string | undefined } | InvalidCertificateError {
  let input: QuorumSignatureInput;
  let committee: BlsCommittee | undefined;
  try {
    input = options.signatureOf(item);
    if (!isObject(input) || !isObject(input.quorum)) return new InvalidCertificateError('malformed', 'an item has a digest and a quorum signature');
    committee = options.committeeFor(input.quorum.epoch);
  } catch (error) {
    if (error instanceof InvalidCertificateError) return error;
    throw error;
  }
  const { digestHex } = input;
  // One copy for the cache key, the check and the worker (the caller's arrays may change before the batch leaves).
  let digest: Uint8Array;
  let quorum: AuthorityQuorumSignature;
  try {
    ({ digest, quorum } = snapshotQuorum(input.digest, input.quorum));
  } catch {
    return new InvalidCertificateError('malformed', 'reading the quorum signature threw', digestHex);
  }
  if (committee === undefined) {
    // The single path's order: a malformed quorum is malformed before it is of another epoch.
    try {
      checkQuorumShape(quorum, digestHex);
    } catch (error) {
      if (error instanceof InvalidCertificateError) return error;
      throw error;
    }
    return new InvalidCertificateError('wrong-epoch', `no committee verifies epoch ${String(quorum.epoch)}`, digestHex);
  }
  const check: QuorumCheck = digestHex === undefined ? { committee, digest, quorum } : { committee, digest, quorum, digestHex };
  // Only what passes the checks before the pairing can be a cache hit: the key is exact bytes of fixed lengths.
  const cacheable =
    cache !== undefined &&
    quorum.epoch === committee.epoch &&
    digest instanceof Uint8Array &&
    digest.length === DIGEST_BYTES &&
    quorum.signature instanceof Uint8Array &&
    quorum.signature.length === SIGNATURE_BYTES &&
    quorum.signers instanceof Uint8Array;
  return { check, key: cacheable ? quorumCacheKey(committee, digest, quorum.signature, quorum.signers) : undefined };
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

function outcomeOf<T>(item: T, result: QuorumCheckResult | VerifierClosedError, duplicate: boolean): CertificateVerification<T> {
  if (result === undefined) return { kind: 'verified', item, duplicate };
  if (result instanceof InvalidCertificateError) return { kind: 'refused', item, error: result };
  return { kind: 'unverified', item, error: result };
}

function checkedOptions<T>(options: VerifyCertificatesOptions<T>): { maxBatchSize: number | undefined; maxWaitMs: number; maxPending: number; scheduler: SchedulerLike } {
  if (typeof options.signatureOf !== 'function') throw new InvalidOptionError('signatureOf', options.signatureOf, 'a function from an item to its digest and quorum signature');
  if (typeof options.committeeFor !== 'function') throw new InvalidOptionError('committeeFor', options.committeeFor, 'a function from an epoch to its BlsCommittee');
  const { maxBatchSize, maxWaitMs = 1, maxPending = 4_096 } = options;
  if (maxBatchSize !== undefined && (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1)) throw new InvalidOptionError('maxBatchSize', maxBatchSize, 'an integer >= 1');
  if (!Number.isFinite(maxWaitMs) || maxWaitMs < 0) throw new InvalidOptionError('maxWaitMs', maxWaitMs, 'a number of milliseconds >= 0');
  if (!Number.isSafeInteger(maxPending) || maxPending < 1) throw new InvalidOptionError('maxPending', maxPending, 'an integer >= 1');
  if (options.workers !== undefined && (!Number.isSafeInteger(options.workers) || options.workers < 1)) throw new InvalidOptionError('workers', options.workers, 'an integer >= 1');
  return { maxBatchSize, maxWaitMs, maxPending, scheduler: options.scheduler ?? asyncScheduler };
}
