import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { batchBySizeOrTime } from '../../../lib/validator/verifier';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('batchBySizeOrTime', () => {
  it('emits a batch as soon as it is full, and the rest when the window after its first item closes', () => {
    scheduler().run(({ cold, expectObservable }) => {
      // a, b, c at 0, 1, 2 ms; d at 8; e at 24; completion at 25.
      const source = cold('abc 5ms d 15ms e|', { a: 1, b: 2, c: 3, d: 4, e: 5 });
      // Full at c; d opens a batch whose window closes at 18; e's batch leaves with the completion.
      expectObservable(source.pipe(batchBySizeOrTime(3, 10))).toBe('--x 15ms y 6ms (z|)', { x: [1, 2, 3], y: [4], z: [5] });
    });
  });

  it('starts the window at the first item of a batch, not at subscription, and emits no empty batch', () => {
    scheduler().run(({ cold, expectObservable }) => {
      // a at 20 ms, b at 23, c at 44, completion at 75.
      const source = cold('20ms a 2ms b 20ms c 30ms |', { a: 'a', b: 'b', c: 'c' });
      expectObservable(source.pipe(batchBySizeOrTime(10, 5))).toBe('25ms x 23ms y 25ms |', { x: ['a', 'b'], y: ['c'] });
    });
  });

  it('sends the open batch when the source completes, without waiting for the window', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('ab|').pipe(batchBySizeOrTime(10, 100))).toBe('--(x|)', { x: ['a', 'b'] });
    });
  });

  it('passes an error on and drops the open batch', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a 3ms b #').pipe(batchBySizeOrTime(2, 100))).toBe('----x#', { x: ['a', 'b'] });
      expectObservable(cold('a 3ms #').pipe(batchBySizeOrTime(2, 100))).toBe('----#');
    });
  });

  it('cancels its timer when unsubscribed: nothing is emitted after', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a').pipe(batchBySizeOrTime(5, 10)), '^ 4ms !').toBe('');
    });
  });

  it('emits a full batch synchronously, inside the push that filled it', () => {
    const source = new Subject<number>();
    const batches: number[][] = [];
    source.pipe(batchBySizeOrTime(3, 1_000)).subscribe((batch) => batches.push(batch));
    for (let i = 0; i < 7; i++) source.next(i);
    expect(batches).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    source.complete();
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });
});
