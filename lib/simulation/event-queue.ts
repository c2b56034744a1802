/** One thing to do at one virtual time. `run` is cleared when it is cancelled. */
export interface ScheduledEvent {
  readonly time: number;
  /** Order of scheduling: events at one time run first come, first served. */
  readonly sequence: number;
  run: (() => void) | undefined;
}

/**
 * The events still to run, as a binary min-heap on (time, sequence): the
 * next is always the earliest, and two at the same time run in the order
 * they were scheduled, so a run never depends on how the heap is laid out.
 */
export class EventQueue {
  private readonly heap: ScheduledEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(event: ScheduledEvent): void {
    const heap = this.heap;
    heap.push(event);
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!before(heap[child] as ScheduledEvent, heap[parent] as ScheduledEvent)) break;
      swap(heap, child, parent);
      child = parent;
    }
  }

  /** The earliest event, removed, or undefined when none is left. */
  pop(): ScheduledEvent | undefined {
    const heap = this.heap;
    const first = heap[0];
    const last = heap.pop();
    if (first === undefined || last === undefined || heap.length === 0) return first;
    heap[0] = last;
    let parent = 0;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let least = parent;
      if (left < heap.length && before(heap[left] as ScheduledEvent, heap[least] as ScheduledEvent)) least = left;
      if (right < heap.length && before(heap[right] as ScheduledEvent, heap[least] as ScheduledEvent)) least = right;
      if (least === parent) return first;
      swap(heap, parent, least);
      parent = least;
    }
  }

  clear(): void {
    this.heap.length = 0;
  }
}

function before(a: ScheduledEvent, b: ScheduledEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.sequence < b.sequence);
}

function swap(heap: ScheduledEvent[], i: number, j: number): void {
  const held = heap[i] as ScheduledEvent;
  heap[i] = heap[j] as ScheduledEvent;
  heap[j] = held;
}
