import { createHash } from 'node:crypto';
import {
  type AuthorityState,
  type Certificate,
  type EpochStore,
  type ExecutionResult,
  TransientExecutionError,
} from '../../lib';

export { seededRandom } from '../../lib/validator/workload/seeded-random';

/** How the demo state treats each certificate, decided by its digest's prefix. */
export interface DemoBehaviour {
  /** Milliseconds an execution takes, at most. */
  readonly maxLatencyMs: number;
}

/**
 * A small in-memory AuthorityState: "executes" a certificate by hashing it,
 * commits the effects, and remembers executed digests. Certificates whose
 * digest starts with `fail-` abort deterministically; `busy-` ones hit a
 * transient store conflict on their first attempt.
 */
export class InMemoryAuthorityState implements AuthorityState {
  readonly committed = new Map<string, ExecutionResult>();
  private readonly attempts = new Map<string, number>();

  constructor(
    readonly epochStore: EpochStore,
    private readonly random: () => number,
    private readonly behaviour: DemoBehaviour,
  ) {}

  loadEpochStoreOneCallPerTask(): EpochStore {
    return this.epochStore;
  }

  isTxAlreadyExecuted(digest: string): boolean {
    return this.committed.has(digest);
  }

  async tryExecuteImmediately(certificate: Certificate, _commitDigest?: string, _commitIndex?: number, _epochStore?: EpochStore, signal?: AbortSignal): Promise<ExecutionResult> {
    const attempt = (this.attempts.get(certificate.digest) ?? 0) + 1;
    this.attempts.set(certificate.digest, attempt);
    await sleep(this.random() * this.behaviour.maxLatencyMs, signal);
    if (certificate.digest.startsWith('fail-')) throw new Error('Move abort: insufficient balance');
    if (certificate.digest.startsWith('busy-') && attempt === 1) throw new TransientExecutionError('object lock held by a concurrent write');
    const result: ExecutionResult = {
      effects: { digest: effectsDigest(certificate.digest) },
      events: [{ type: 'TransferObject', digest: certificate.digest }],
    };
    this.committed.set(certificate.digest, result);
    return result;
  }
}

/** The effects digest every honest validator computes for `digest`. */
export function effectsDigest(digest: string): string {
  return createHash('sha256').update(`effects:${digest}`).digest('hex').slice(0, 16);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    // The driver shares one signal across a run: remove the listener when done.
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
