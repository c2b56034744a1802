import { interval, take, toArray, firstValueFrom } from 'rxjs';
import { SimulationClock } from '../../lib/simulation';

describe('SimulationClock', () => {
  it('runs events in time order, and those at one time in the order they were scheduled', async () => {
    const clock = new SimulationClock();
    const seen: string[] = [];
    const at = (ms: number, name: string) => clock.root.after(ms, () => seen.push(`${name}@${clock.now()}`));
    at(5, 'c');
    at(1, 'a');
    at(5, 'd');
    at(1, 'b');
    expect(await clock.run({ deadline: 100 })).toBe('idle');
    expect(seen).toEqual(['a@1', 'b@1', 'c@5', 'd@5']);
  });

  it("runs every microtask an event caused before the next event, so a promise chain finishes at its event's time", async () => {
    const clock = new SimulationClock();
    const seen: string[] = [];
    clock.root.after(1, () => {
      void Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => seen.push(`chain@${clock.now()}`));
    });
    clock.root.after(2, () => seen.push(`next@${clock.now()}`));
    await clock.run({ deadline: 10 });
    expect(seen).toEqual(['chain@1', 'next@2']);
  });

  it('kills a scope with its children: their timers never fire and their sleeps never end', async () => {
    const clock = new SimulationClock();
    const process = clock.root.child();
    const worker = process.child();
    const seen: string[] = [];
    void worker.sleep(5).then(() => seen.push('woke'));
    process.after(3, () => seen.push('timer'));
    clock.root.after(1, () => process.kill());
    clock.root.after(10, () => seen.push('root'));
    await clock.run({ deadline: 100 });
    expect(seen).toEqual(['root']);
    expect(worker.alive).toBe(false);
    expect(clock.root.alive).toBe(true);
  });

  it('is an RxJS scheduler: interval runs on it in virtual time, and an unsubscribed action never fires', async () => {
    const clock = new SimulationClock();
    const ticks = firstValueFrom(interval(10, clock.root).pipe(take(3), toArray()));
    const fired: number[] = [];
    clock.root.schedule(() => fired.push(clock.now()), 4).unsubscribe();
    clock.root.schedule(() => fired.push(clock.now()), 6);
    await clock.run({ deadline: 100 });
    expect(await ticks).toEqual([0, 1, 2]);
    expect(clock.now()).toBe(30);
    expect(fired).toEqual([6]);
  });

  it('stops at the deadline, when done, or when stopped, and says which', async () => {
    const endless = () => {
      const clock = new SimulationClock();
      const tick = (): void => {
        clock.root.after(1, tick);
      };
      tick();
      return clock;
    };
    const a = endless();
    expect(await a.run({ deadline: 50 })).toBe('deadline');
    expect(a.now()).toBe(50);
    const b = endless();
    expect(await b.run({ deadline: 50, done: () => b.now() >= 7 })).toBe('done');
    expect(b.now()).toBe(7);
    const c = endless();
    expect(await c.run({ deadline: 50, stopped: () => c.events === 3 })).toBe('stopped');
  });

  it('reads a deadline given as a function before each event, so it may move', async () => {
    const clock = new SimulationClock();
    const tick = (): void => {
      clock.root.after(1, tick);
    };
    tick();
    // Each event past 10 buys one more ms, up to 30.
    let deadline = 10;
    const end = await clock.run({ deadline: () => deadline, afterEach: () => (deadline = Math.min(30, Math.max(deadline, clock.now() + 1))) });
    expect(end).toBe('deadline');
    expect(clock.now()).toBe(30);
  });
});
