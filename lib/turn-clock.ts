/**
 * The driver's clock: `now()` reads it, `nowInTurn()` reuses a reading taken
 * earlier in the same synchronous turn. A clock read costs about 120 ns here
 * (performance.now() behind a virtualised clock source), three per
 * certificate were a tenth of the driver's cost, and arrivals pushed in one
 * synchronous burst, or a certificate started in the turn that freed its
 * slot, happen at one moment anyway. A fresh `now()` also refreshes the
 * turn's reading, so it is never older than the last fresh read or the
 * start of the turn. An injected scheduler's clock (virtual time) is read
 * every time: it is cheap, and tests need it exact.
 */
export class TurnClock {
  private reading = 0;
  private fresh = false;
  private readonly expire = (): void => {
    this.fresh = false;
  };

  constructor(private readonly read: () => number, private readonly cacheInTurn: boolean) {}

  /** A fresh reading. */
  now(): number {
    const reading = this.read();
    if (this.cacheInTurn) this.keep(reading);
    return reading;
  }

  /** A reading from this synchronous turn: for arrival and start times. */
  nowInTurn(): number {
    if (!this.cacheInTurn) return this.read();
    if (!this.fresh) this.keep(this.read());
    return this.reading;
  }

  private keep(reading: number): void {
    this.reading = reading;
    if (!this.fresh) {
      this.fresh = true;
      queueMicrotask(this.expire);
    }
  }
}
