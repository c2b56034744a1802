/** A settled promise: a reaction to it is the cheapest way to run a callback after this turn's queued microtasks. */
const SETTLED = Promise.resolve();

/**
 * The driver's clock: `now()` reads it, `nowInTurn()` reuses a reading taken
 * earlier in the same turn. A clock read costs 120 to 200 ns here
 * (performance.now() behind a virtualised clock source), three per
 * certificate were a tenth of the driver's cost, and arrivals pushed in one
 * synchronous burst, a certificate started in the turn that freed its slot,
 * or results delivered in one batch of microtasks happen at one moment
 * anyway. A reading stays current until the microtasks queued before it was
 * taken have run. So a promise's handler, queued when the promise settled,
 * never sees a reading taken before that moment: a result delivered by a
 * promise may be timed with `nowInTurn()`, and no duration is negative. A
 * fresh `now()` also refreshes the turn's reading. An injected scheduler's clock (virtual
 * time) is read every time: it is cheap, and tests need it exact.
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
      // The same microtask queue as queueMicrotask, without the async resource Node makes for each of those.
      void SETTLED.then(this.expire);
    }
  }
}
