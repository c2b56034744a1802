import { Observable, type OperatorFunction, type SchedulerLike, type Subscription, asyncScheduler } from 'rxjs';

/**
 * Collects items into batches: a batch is emitted when it holds `maxSize`
 * items, or `maxWaitMs` after its first item arrived, whichever is first;
 * the source's completion emits the open batch at once. An item waits at most
 * `maxWaitMs` (plus the scheduler's timer lateness), and no timer runs while
 * no batch is open (unlike `bufferTime`, which ticks forever and emits empty
 * batches). An error drops the open batch and is passed on.
 */
export function batchBySizeOrTime<T>(maxSize: number, maxWaitMs: number, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<T, T[]> {
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let batch: T[] = [];
      let timer: Subscription | undefined;
      const flush = () => {
        timer?.unsubscribe();
        timer = undefined;
        if (batch.length === 0) return;
        const full = batch;
        batch = [];
        subscriber.next(full);
      };
      const subscription = source.subscribe({
        next: (item) => {
          batch.push(item);
          if (batch.length >= maxSize) flush();
          else timer ??= scheduler.schedule(flush, maxWaitMs);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
