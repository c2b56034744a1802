/**
 * A transaction certified by a quorum of the committee. The driver needs only
 * its digest and epoch; richer certificate types extend this interface.
 */
export interface Certificate {
  /** The transaction digest: the identity used for dedupe, logs and outcomes. */
  readonly digest: string;
  /** The epoch whose committee signed the certificate. */
  readonly epoch: number;
}

/** The consensus commit that sequenced a certificate (for shared-object transactions). */
export interface CommitRef {
  readonly digest: string;
  readonly index: number;
}

/**
 * A certificate whose inputs are available, as the TransactionManager hands it
 * to the driver.
 */
export interface PendingCertificate<C extends Certificate = Certificate> {
  readonly certificate: C;
  /** The commit that sequenced it, passed through to `tryExecuteImmediately`. */
  readonly commit?: CommitRef;
  /**
   * The effects digest other validators reached (from a checkpoint, say). A
   * different local result is a fork: a `fatal` outcome that halts the driver.
   */
  readonly expectedEffectsDigest?: string;
}

/**
 * Why `value` is not a well-formed pending certificate, or `undefined` if it is.
 * Checked at intake so that a malformed item becomes a `failed` outcome instead
 * of an exception deep inside an execution.
 */
export function describeMalformedCertificate(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'pending certificate is not an object';
  const { certificate, commit, expectedEffectsDigest } = value as Partial<Record<string, unknown>>;
  if (typeof certificate !== 'object' || certificate === null) return 'certificate is missing';
  const { digest, epoch } = certificate as Partial<Record<string, unknown>>;
  if (typeof digest !== 'string' || digest.length === 0) return 'certificate digest must be a non-empty string';
  if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 0) {
    return 'certificate epoch must be a non-negative integer';
  }
  if (commit !== undefined) {
    if (typeof commit !== 'object' || commit === null) return 'commit must be an object';
    const { digest: commitDigest, index } = commit as Partial<Record<string, unknown>>;
    if (typeof commitDigest !== 'string') return 'commit digest must be a string';
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
      return 'commit index must be a non-negative integer';
    }
  }
  if (expectedEffectsDigest !== undefined && typeof expectedEffectsDigest !== 'string') {
    return 'expectedEffectsDigest must be a string';
  }
  return undefined;
}
