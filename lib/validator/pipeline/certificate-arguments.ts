import { describeValue } from '../../describe-value';
import { InvalidCertificateError } from '../errors';

/**
 * The shapes of the pipeline's `submit` and `commit` arguments, checked at
 * the door so that a wrong one is a typed refusal, never a `TypeError` from
 * deeper down (or a commit whose bad index surfaces only after execution).
 */

/**
 * The elements of `value`, copied by index into an array of the door's own.
 * Nothing of the caller's array runs here (not its `map`, its iterator or a
 * subclass's methods), so what the door then checks is every element that
 * was passed, and only those.
 * @throws InvalidCertificateError `malformed` unless `value` is an array without holes.
 */
export function certificateList(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new InvalidCertificateError('malformed', 'certificates must be an array');
  const elements: unknown[] = [];
  try {
    const length = (value as unknown[]).length;
    for (let i = 0; i < length; i++) {
      if (!Object.hasOwn(value, i)) throw new InvalidCertificateError('malformed', `certificates has a hole at index ${i}`);
      elements.push((value as unknown[])[i]);
    }
  } catch (error) {
    if (error instanceof InvalidCertificateError) throw error;
    throw new InvalidCertificateError('malformed', `reading the certificates threw: ${describeValue(error)}`);
  }
  return elements;
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
