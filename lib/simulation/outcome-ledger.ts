import type { PendingCertificate } from '../certificate';
import { short } from './simulation-trace';

/**
 * Exactly one outcome per release, for one process's driver: every
 * certificate the manager releases gets one outcome, or comes back unstarted
 * from a stop. Counted per digest (a certificate that failed is released
 * again when resubmitted). The driver may answer a release synchronously,
 * before a second subscriber to `ready$` hears of it, so the counts are
 * compared once an event's microtasks have all run (`check`), never in between.
 */
export class OutcomeLedger {
  /** Releases minus outcomes, per digest. */
  private readonly open = new Map<string, number>();
  private readonly touched = new Set<string>();

  released(digest: string): void {
    this.add(digest, 1);
  }

  outcome(digest: string): void {
    this.add(digest, -1);
  }

  /** A problem, if some digest has had more outcomes than releases. */
  check(): string | undefined {
    for (const digest of this.touched) {
      if ((this.open.get(digest) ?? 0) < 0) return `certificate ${short(digest)} got more outcomes than it was released to the driver`;
    }
    this.touched.clear();
    return undefined;
  }

  /** A problem, if a stop's unstarted certificates are not exactly the releases still without an outcome. */
  stopped(unstarted: readonly PendingCertificate[]): string | undefined {
    const left = new Map(this.open);
    for (const { certificate } of unstarted) left.set(certificate.digest, (left.get(certificate.digest) ?? 0) - 1);
    for (const [digest, count] of left) {
      if (count > 0) return `certificate ${short(digest)} was released to the driver and neither got an outcome nor came back unstarted`;
      if (count < 0) return `certificate ${short(digest)} came back unstarted but had an outcome, or was never released`;
    }
    return undefined;
  }

  private add(digest: string, delta: number): void {
    const count = (this.open.get(digest) ?? 0) + delta;
    if (count === 0) this.open.delete(digest);
    else this.open.set(digest, count);
    this.touched.add(digest);
  }
}
