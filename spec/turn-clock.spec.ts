import { TurnClock } from '../lib/turn-clock';

/** A clock that answers 1, 2, 3, ... and counts its reads. */
function counting(): { read: () => number; reads: () => number } {
  let reads = 0;
  return { read: () => ++reads, reads: () => reads };
}

const microtasks = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TurnClock', () => {
  it('reuses one reading for the rest of a synchronous turn', () => {
    const source = counting();
    const clock = new TurnClock(source.read, true);
    expect([clock.nowInTurn(), clock.nowInTurn(), clock.nowInTurn()]).toEqual([1, 1, 1]);
    expect(source.reads()).toBe(1);
  });

  it('reads again once the microtasks queued before the reading have run', async () => {
    const source = counting();
    const clock = new TurnClock(source.read, true);
    expect(clock.nowInTurn()).toBe(1);
    await microtasks();
    expect(clock.nowInTurn()).toBe(2);
  });

  it("never gives a promise's handler a reading taken before the promise settled", async () => {
    const source = counting();
    const clock = new TurnClock(source.read, true);
    let settle!: () => void;
    const promise = new Promise<void>((resolve) => (settle = resolve));
    const seen: number[] = [];
    const handled = promise.then(() => seen.push(clock.nowInTurn()));
    expect(clock.nowInTurn()).toBe(1); // taken before the promise settles
    settle();
    await handled;
    expect(seen).toEqual([2]);
  });

  it('refreshes the reading on a fresh now()', () => {
    const source = counting();
    const clock = new TurnClock(source.read, true);
    expect(clock.nowInTurn()).toBe(1);
    expect(clock.now()).toBe(2);
    expect(clock.nowInTurn()).toBe(2);
  });

  it('reads every time when caching is off (an injected scheduler: virtual time must be exact)', () => {
    const source = counting();
    const clock = new TurnClock(source.read, false);
    expect([clock.nowInTurn(), clock.nowInTurn(), clock.now()]).toEqual([1, 2, 3]);
  });
});
