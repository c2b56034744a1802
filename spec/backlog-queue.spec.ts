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

  it('removeWhere takes the picked items oldest first, and the rest keep their order and arrival times, wrapped or not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 5 }), (shifted, kept, every) => {
        const queue = new BacklogQueue<number>(4);
        let model: [number, number][] = [];
        for (let n = 0; n < shifted + kept; n++) {
          queue.push(n, n * 3);
          model.push([n, n * 3]);
        }
        for (let n = 0; n < shifted; n++) {
          queue.shift();
          model.shift();
        }
        // More pushes after the shifts wrap around the ring.
        for (let n = 100; n < 100 + shifted; n++) {
          queue.push(n, n * 3);
          model.push([n, n * 3]);
        }
        const picked = (v: number) => v % every === 0;
        expect(queue.removeWhere(picked)).toEqual(model.filter(([v]) => picked(v)).map(([v]) => v));
        model = model.filter(([v]) => !picked(v));
        expect(queue.size).toBe(model.length);
        queue.push(-1, -3);
        model.push([-1, -3]);
        for (const [value, at] of model) {
          expect(queue.oldestEnqueuedAt).toBe(at);
          expect(queue.shift()).toBe(value);
        }
        expect(queue.size).toBe(0);
      }),
    );
  });
});
