/**
 * The concurrency limit of the moment is never exceeded: certificates in
 * flight (from the driver's first call into the state to the certificate's
 * outcome; a retry is the same execution, holding the same slot) are
 * counted against the limit the driver was last given, and none starts
 * while the driver is paused. The limit is learnt before the driver hears
 * of it, since a raised limit starts waiting work at once.
 */
export class ConcurrencyCheck {
  private readonly inFlight = new Set<string>();
  private paused = false;
  /** The most that ran at once. */
  highest = 0;

  constructor(private limit: number) {}

  setLimit(limit: number): void {
    this.limit = limit;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
  }

  /** The driver calls into the state for `digest`: a problem, if that starts an execution past the limit or while paused. */
  called(digest: string): string | undefined {
    if (this.inFlight.has(digest)) return undefined; // a retry
    this.inFlight.add(digest);
    if (this.inFlight.size > this.highest) this.highest = this.inFlight.size;
    if (this.paused) return 'an execution started while the driver was paused';
    return this.inFlight.size > this.limit ? `${this.inFlight.size} executions in flight, limit ${this.limit}` : undefined;
  }

  /** `digest` got its outcome: its slot is free. */
  ended(digest: string): void {
    this.inFlight.delete(digest);
  }
}
