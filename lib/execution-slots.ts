import { BacklogQueue } from './backlog-queue';

/**
 * Admits items to execution only while fewer than `limit` run, so the
 * downstream `mergeMap` never buffers: waiting items stay in an O(1) backlog.
 * Starting is trampolined, so executions that finish synchronously release
 * their slot without recursion, however long the backlog.
 */
export class ExecutionSlots<T> {
  private readonly backlog = new BacklogQueue<T>();
  private running = 0;
  /** Started items that gave their slot up early (staged), and have not finished. */
  private staged = 0;
  private paused = false;
  private pumping = false;
  private pumpAgain = false;
  private intakeOpen = true;
  private halted = false;
  private drainedSignalled = false;

  constructor(
    private limit: number,
    /** Start `item`, which arrived at `enqueuedAt`. Must eventually call `release()`. */
    private readonly start: (item: T, enqueuedAt: number) => void,
    /** Called once, when intake is closed and nothing is waiting: no more starts will come. */
    private readonly onDrained: () => void,
    /** Items that may give their slot up before they finish (see `releaseStaged`). */
    private readonly maxStaged = 0,
  ) {}

  /** Items started and not yet released. */
  get inFlight(): number {
    return this.running;
  }

  /** Items that gave their slot up early and have not finished. */
  get stagedCount(): number {
    return this.staged;
  }

  /** Items waiting for a slot. */
  get backlogSize(): number {
    return this.backlog.size;
  }

  /** Items allowed to run at once. */
  get maxRunning(): number {
    return this.limit;
  }

  /** True while paused: items wait in the backlog, nothing starts. */
  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * Change the limit now. Raising it starts waiting items at once; lowering it
   * lets running items finish and starts nothing until fewer than `limit` run.
   */
  setLimit(limit: number): void {
    this.limit = limit;
    this.pump();
  }

  /** Start nothing until `resume()`; running items finish, offered items wait. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  /** True once `halt()` has been called: offered items are no longer taken. */
  get isHalted(): boolean {
    return this.halted;
  }

  /** Queue `item` to start; false (nothing kept) once halted, when nothing would ever start it. */
  offer(item: T, enqueuedAt: number): boolean {
    if (this.halted) return false;
    this.backlog.push(item, enqueuedAt);
    this.pump();
    return true;
  }

  /** A started item finished: its slot is free. */
  release(): void {
    this.running--;
    this.pump();
  }

  /**
   * A started item will finish later without needing its slot: free it now,
   * if fewer than `maxStaged` items wait so. If it is freed, `freed` runs
   * first (the item then calls `stagedFinished()` when it finishes, not
   * `release()`), then the slot goes, which may start the next item at once,
   * and that item's code may end this one: so the item must know before.
   */
  releaseStaged(freed: () => void): void {
    if (this.staged >= this.maxStaged) return;
    this.staged++;
    freed();
    this.release();
  }

  /** An item whose slot `releaseStaged` freed has finished. */
  stagedFinished(): void {
    this.staged--;
  }

  /** No more items will be offered; the backlog still runs to the end. */
  closeIntake(): void {
    this.intakeOpen = false;
    this.pump();
  }

  /** Remove and return the waiting items `take` picks, oldest first: they will not start. */
  withdraw(take: (item: T) => boolean): T[] {
    const taken = this.backlog.removeWhere(take);
    if (taken.length > 0) this.pump(); // an emptied backlog may be the end of the run
    return taken;
  }

  /** Start nothing more; return what was waiting, oldest first. */
  halt(): T[] {
    this.halted = true;
    this.intakeOpen = false;
    const waiting = this.backlog.drain();
    this.pump();
    return waiting;
  }

  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        while (!this.halted && !this.paused && this.running < this.limit && this.backlog.size > 0) {
          const enqueuedAt = this.backlog.oldestEnqueuedAt;
          const item = this.backlog.shift() as T;
          this.running++;
          this.start(item, enqueuedAt);
        }
        // `start` may re-enter `release`, which sets the flag again.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
    // Paused with intake closed and an empty backlog is still drained: nothing can start.
    if (!this.intakeOpen && this.backlog.size === 0 && !this.drainedSignalled) {
      this.drainedSignalled = true;
      this.onDrained();
    }
  }
}
