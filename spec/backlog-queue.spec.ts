import fc from 'fast-check';
import { BacklogQueue } from '../lib/backlog-queue';

describe('BacklogQueue', () => {
  it('is first in, first out, with arrival times', () => {
    const queue = new BacklogQueue<string>(2);
    queue.push('a', 10);
    queue.push('b', 20);
    queue.push('c', 30);
    expect(queue.size).toBe(3);
    expect(queue.oldestEnqueuedAt).toBe(10);
    expect(queue.shift()).toBe('a');
    expect(queue.oldestEnqueuedAt).toBe(20);
    expect(queue.drain()).toEqual(['b', 'c']);
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
    expect(queue.oldestEnqueuedAt).toBeNaN();
  });

  it('refuses a capacity that is not a power of two', () => {
    expect(() => new BacklogQueue(3)).toThrow(RangeError);
  });

  it('behaves like an array queue under any mix of pushes and shifts, growing and shrinking', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.constant(-1)), { maxLength: 300 }), (ops) => {
        const queue = new BacklogQueue<number>(4);
        const model: [number, number][] = [];
        let next = 0;
        for (const op of ops) {
          if (op === -1) {
            expect(queue.oldestEnqueuedAt).toEqual(model[0]?.[1] ?? Number.NaN);
            expect(queue.shift()).toBe(model.shift()?.[0]);
          } else {
            // push a run of op % 50 items, to cross growth and shrink thresholds
            for (let i = 0; i < op % 50; i++) {
              queue.push(next, next * 2);
              model.push([next, next * 2]);
              next++;
            }
          }
          expect(queue.size).toBe(model.length);
        }
        expect(queue.drain()).toEqual(model.map(([v]) => v));
      }),
    );
  });
});
