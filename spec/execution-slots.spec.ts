import fc from 'fast-check';
import { ExecutionSlots } from '../lib/execution-slots';

describe('ExecutionSlots', () => {
  function harness(limit: number) {
    const started: string[] = [];
    let drained = 0;
    const slots = new ExecutionSlots<string>(
      limit,
      (item) => started.push(item),
      () => drained++,
    );
    return { slots, started, drained: () => drained };
  }

  it('starts at most `limit` items, and the next one when a slot is released', () => {
    const { slots, started } = harness(2);
    for (const item of ['a', 'b', 'c', 'd']) slots.offer(item, 0);
    expect(started).toEqual(['a', 'b']);
    expect([slots.inFlight, slots.backlogSize]).toEqual([2, 2]);
    slots.release();
    expect(started).toEqual(['a', 'b', 'c']);
    expect([slots.inFlight, slots.backlogSize]).toEqual([2, 1]);
  });

  it('passes each item its arrival time', () => {
    const seen: [string, number][] = [];
    const slots = new ExecutionSlots<string>(1, (item, at) => seen.push([item, at]), () => undefined);
    slots.offer('a', 5);
    slots.offer('b', 7);
    slots.release();
    expect(seen).toEqual([
      ['a', 5],
      ['b', 7],
    ]);
  });

  it('signals drained once, when intake is closed and the backlog empty', () => {
    const { slots, drained } = harness(1);
    slots.offer('a', 0);
    slots.offer('b', 0);
    slots.closeIntake();
    expect(drained()).toBe(0);
    slots.release(); // a done, b starts: backlog empty now
    expect(drained()).toBe(1);
    slots.release();
    expect(drained()).toBe(1);
  });

  it('halt returns the waiting items, starts nothing more and signals drained', () => {
    const { slots, started, drained } = harness(1);
    for (const item of ['a', 'b', 'c']) slots.offer(item, 0);
    expect(slots.halt()).toEqual(['b', 'c']);
    expect(drained()).toBe(1);
    slots.release();
    expect(started).toEqual(['a']);
  });

  it('handles synchronous completion without recursion, however long the backlog', () => {
    let started = 0;
    let holding = true;
    const slots: ExecutionSlots<number> = new ExecutionSlots<number>(
      1,
      () => {
        started++;
        if (!holding) slots.release(); // finishes synchronously, re-entering the pump
      },
      () => undefined,
    );
    for (let i = 0; i < 200_000; i++) slots.offer(i, 0);
    holding = false;
    slots.release();
    expect(started).toBe(200_000);
    expect([slots.inFlight, slots.backlogSize]).toEqual([0, 0]);
  });

  it('never exceeds the limit and starts everything, in order, for any interleaving', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.boolean(), { maxLength: 200 }), (limit, ops) => {
        const started: number[] = [];
        const slots = new ExecutionSlots<number>(limit, (item) => started.push(item), () => undefined);
        let offered = 0;
        let released = 0;
        for (const offer of ops) {
          if (offer) slots.offer(offered++, 0);
          else if (released < started.length) {
            slots.release();
            released++;
          }
          expect(slots.inFlight).toBeLessThanOrEqual(limit);
          expect(slots.inFlight).toBe(started.length - released);
          expect(slots.inFlight + slots.backlogSize).toBe(offered - released);
        }
        expect(started).toEqual([...started].sort((a, b) => a - b));
      }),
    );
  });
});
