import type { PendingCertificate } from '../certificate';
import type { ExecutionOutcome } from '../outcomes';
import { resultOf } from './marble-authority-state';

/** Options of {@link certificates}. */
export interface CertificatesOptions {
  /** Epoch of every certificate, or per letter (others 0). Default 0. */
  readonly epoch?: number | Readonly<Record<string, number>>;
  /**
   * Letters whose certificates carry an expected effects digest: the one a
   * script's `r` produces, so an `f` (a different result) is a fork.
   */
  readonly expectEffects?: string;
}

/**
 * Pending certificates for marble values: one per letter of `letters`, whose
 * digest is the letter. Spaces are ignored.
 *
 * @example
 * const ready$ = hot('a-b-(cd)|', certificates('abcd', { epoch: { d: 1 } }));
 */
export function certificates(letters: string, options: CertificatesOptions = {}): Record<string, PendingCertificate> {
  const out: Record<string, PendingCertificate> = {};
  for (const letter of letters.replace(/\s/g, '')) {
    const epoch = typeof options.epoch === 'number' ? options.epoch : (options.epoch?.[letter] ?? 0);
    const expected = options.expectEffects?.includes(letter) ? { expectedEffectsDigest: resultOf(letter).effects.digest } : {};
    out[letter] = { certificate: { digest: letter, epoch }, ...expected };
  }
  return out;
}

/**
 * An outcome as a short comparable string, for `expectObservable(...pipe(map(brief)))`:
 * `executed:a`, `skipped:a:wrong-epoch`, `failed:a:retries-exhausted`, `fatal:a`.
 */
export function brief(outcome: ExecutionOutcome): string {
  switch (outcome.kind) {
    case 'executed':
    case 'fatal':
      return `${outcome.kind}:${outcome.digest}`;
    case 'skipped':
    case 'failed':
      return `${outcome.kind}:${outcome.digest}:${outcome.reason}`;
  }
}
