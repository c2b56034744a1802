import { Observable, type Subscriber } from 'rxjs';

/**
 * A hot source with one subscriber, to which `next` and `complete` go
 * straight. It stands where a `Subject` would, on the path every certificate
 * takes: a Subject wraps each value in a closure and walks an observer array.
 * Values sent while nobody is subscribed are dropped, as a Subject's would be.
 */
export class DirectSubject<T> extends Observable<T> {
  private sink: Subscriber<T> | undefined;
  private completed = false;

  constructor() {
    super((subscriber) => {
      if (this.completed) {
        subscriber.complete();
        return undefined;
      }
      this.sink = subscriber;
      return () => {
        if (this.sink === subscriber) this.sink = undefined;
      };
    });
  }

  next(value: T): void {
    this.sink?.next(value);
  }

  complete(): void {
    this.completed = true;
    this.sink?.complete();
  }
}
