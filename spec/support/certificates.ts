import type { ExecutionOutcome, ExecutionResult, PendingCertificate } from '../../lib';

/** A pending certificate for `digest` in `epoch` (0 by default). */
export function pending(digest: string, overrides: Partial<PendingCertificate> & { epoch?: number } = {}): PendingCertificate {
  const { epoch = 0, ...rest } = overrides;
  return { certificate: { digest, epoch }, ...rest };
}

/** The result a well-behaved state returns for `digest`: effects digest `fx-<digest>`. */
export function result(digest: string): ExecutionResult {
  return { effects: { digest: `fx-${digest}` }, events: [{ type: 'executed', digest }] };
}

/** A compact, comparable view of an outcome: `kind:digest` plus the reason, if any. */
export function brief(outcome: ExecutionOutcome): string {
  switch (outcome.kind) {
    case 'executed':
      return `executed:${outcome.digest}`;
    case 'fatal':
      return `fatal:${outcome.digest}`;
    case 'skipped':
      return `skipped:${outcome.digest}:${outcome.reason}`;
    case 'failed':
      return `failed:${outcome.digest}:${outcome.reason}`;
  }
}
