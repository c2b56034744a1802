/**
 * FIFO ring buffer with O(1) push and shift, recording when each item arrived.
 * It exists because `Array#shift` (which mergeMap's own buffer uses) is O(n)
 * past ~16k items: a large burst must wait here, not in mergeMap.
 * Arrival times live in a parallel Float64Array, so a queued item costs two
 * slots and no wrapper object.
 */
export class BacklogQueue<T> {
  private items: (T | undefined)[];
  private enqueuedAt: Float64Array;
  private head = 0;
  private count = 0;

  constructor(private readonly minCapacity = 1024) {
    if (!Number.isInteger(Math.log2(minCapacity))) throw new RangeError('minCapacity must be a power of two');
    this.items = new Array<T | undefined>(minCapacity);
    this.enqueuedAt = new Float64Array(minCapacity);
  }

  /** Items waiting. */
  get size(): number {
    return this.count;
  }

  push(item: T, enqueuedAt: number): void {
    if (this.count === this.items.length) this.resize(this.items.length * 2);
    const tail = (this.head + this.count) & (this.items.length - 1);
    this.items[tail] = item;
    this.enqueuedAt[tail] = enqueuedAt;
    this.count++;
  }

  /** When the oldest item arrived; `NaN` when empty. */
  get oldestEnqueuedAt(): number {
    return this.count === 0 ? Number.NaN : (this.enqueuedAt[this.head] ?? Number.NaN);
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined; // let the item be collected
    this.head = (this.head + 1) & (this.items.length - 1);
    this.count--;
    // Give memory back after a burst, with hysteresis so push/shift at a boundary does not thrash.
    if (this.items.length > this.minCapacity && this.count < this.items.length / 4) {
      this.resize(this.items.length / 2);
    }
    return item;
  }

  /**
   * Remove and return the waiting items `take` picks, oldest first; the
   * others keep their order and arrival times. Every pick is made before
   * anything moves: a `take` that throws leaves the queue as it was.
   */
  removeWhere(take: (item: T) => boolean): T[] {
    const mask = this.items.length - 1;
    const count = this.count;
    const picked = new Array<boolean>(count);
    for (let i = 0; i < count; i++) picked[i] = take(this.items[(this.head + i) & mask] as T);
    if (this.count !== count || this.items.length - 1 !== mask) throw new Error('BacklogQueue.removeWhere: `take` changed the queue');
    const taken: T[] = [];
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const from = (this.head + i) & mask;
      const item = this.items[from] as T;
      if (picked[i]) {
        taken.push(item);
        continue;
      }
      const to = (this.head + kept) & mask;
      this.items[to] = item;
      this.enqueuedAt[to] = this.enqueuedAt[from] ?? 0;
      kept++;
    }
    for (let i = kept; i < count; i++) this.items[(this.head + i) & mask] = undefined; // let them be collected
    this.count = kept;
    return taken;
  }

  /** Remove and return every waiting item, oldest first. */
  drain(): T[] {
    const drained: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) drained.push(item);
    return drained;
  }

  private resize(capacity: number): void {
    const items = new Array<T | undefined>(capacity);
    const enqueuedAt = new Float64Array(capacity);
    const mask = this.items.length - 1;
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) & mask;
      items[i] = this.items[from];
      enqueuedAt[i] = this.enqueuedAt[from] ?? 0;
    }
    this.items = items;
    this.enqueuedAt = enqueuedAt;
    this.head = 0;
  }
}
