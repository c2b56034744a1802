import { InvalidCertificateError } from '../errors';

/**
 * The shapes of the pipeline's `submit` and `commit` arguments, checked at
 * the door so that a wrong one is a typed refusal, never a `TypeError` from
 * deeper down (or a commit whose bad index surfaces only after execution).
 */

/** @throws InvalidCertificateError `malformed` unless `value` is an array. */
export function certificateList(value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw new InvalidCertificateError('malformed', 'certificates must be an array');
  return value;
}

/** @throws InvalidCertificateError `malformed` unless `value` is `{ digest: string, index: non-negative integer, certificates: array }`. */
export function commitFields(value: unknown): { digest: string; index: number; certificates: readonly unknown[] } {
  if (typeof value !== 'object' || value === null) throw new InvalidCertificateError('malformed', 'a commit must be an object');
  const { digest, index, certificates } = value as Partial<Record<string, unknown>>;
  if (typeof digest !== 'string' || digest.length === 0) throw new InvalidCertificateError('malformed', 'a commit digest must be a non-empty string');
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
    throw new InvalidCertificateError('malformed', 'a commit index must be a non-negative integer');
  }
  return { digest, index, certificates: certificateList(certificates) };
}
