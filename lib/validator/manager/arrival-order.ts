/** Something with an arrival time that never changes. */
export interface Arrival {
  readonly enqueuedAt: number;
}

/** The set whose order is kept (a Map or a Set). */
export interface Members<T> {
  has(entry: T): boolean;
  readonly size: number;
}

/**
 * Members of a set, oldest arrival first, for age limits: the set itself
 * (the caller's) says who is still a member, and this only keeps the order.
 * A member added late with an older arrival (a concurrent call that
 * registers after a later one) is placed by binary search, not by sorting
 * everything again; a member that left is skipped when it reaches the front,
 * and the leftovers are compacted once they outnumber the members.
 */
export class ArrivalOrder<T extends Arrival> {
  private items: T[] = [];
  private head = 0;

  /** Add a member that just joined (`members.has(entry)` is already true). */
  add(entry: T, members: Members<T>): void {
    if (this.items.length - this.head > 2 * members.size + 32) this.compact(members);
    const last = this.items[this.items.length - 1];
    if (last === undefined || last.enqueuedAt <= entry.enqueuedAt) {
      this.items.push(entry);
      return;
    }
    // After every one that arrived at the same time or earlier: equal arrivals keep the order they were added in.
    let low = this.head;
    let high = this.items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.items[middle] as T).enqueuedAt <= entry.enqueuedAt) low = middle + 1;
      else high = middle;
    }
    this.items.splice(low, 0, entry);
  }

  /** The member that arrived first, if any. */
  oldest(members: Members<T>): T | undefined {
    const { items } = this;
    while (this.head < items.length) {
      const entry = items[this.head] as T;
      if (members.has(entry)) return entry;
      this.head++;
    }
    this.clear();
    return undefined;
  }

  /**
   * Visit the members oldest first (each once) while `visit` returns true.
   * @param visit called with each member in arrival order; false stops the walk
   */
  forEachOldestFirst(members: Members<T>, visit: (entry: T) => boolean): void {
    if (this.oldest(members) === undefined) return; // also steps past those that left, for good
    const seen = new Set<T>();
    for (let i = this.head; i < this.items.length; i++) {
      const entry = this.items[i] as T;
      if (!members.has(entry) || seen.has(entry)) continue;
      seen.add(entry);
      if (!visit(entry)) return;
    }
  }

  /** The set is empty: forget the order. */
  clear(): void {
    this.items.length = 0; // the same array: a slot's waits empty and refill often
    this.head = 0;
  }

  /** Keep each member once, in order. */
  private compact(members: Members<T>): void {
    const seen = new Set<T>();
    const kept: T[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const entry = this.items[i] as T;
      if (members.has(entry) && !seen.has(entry)) {
        seen.add(entry);
        kept.push(entry);
      }
    }
    this.items = kept;
    this.head = 0;
  }
}
