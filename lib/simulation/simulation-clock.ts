import { type SchedulerAction, type SchedulerLike, Subscription } from 'rxjs';
import { EventQueue, type ScheduledEvent } from './event-queue';

/** Captured at load: the loop's own way to let microtasks run, whatever a run patches later. */
const realSetImmediate = setImmediate;

/** Every microtask queued so far (and those they queue) has run when this resolves. */
function microtasksDrained(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

/** How a {@link SimulationClock.run} ended. */
export type RunEnd = 'done' | 'idle' | 'deadline' | 'stopped';

/** Options of {@link SimulationClock.run}. */
export interface RunOptions {
  /**
   * Stop before the first event later than this virtual time (ms). A
   * function is read before each event, so the deadline may move (the run
   * is given more time while it makes progress).
   */
  readonly deadline: number | (() => number);
  /** Checked after each event, once its microtasks have run: true ends the run (`done`). */
  readonly done?: () => boolean;
  /** Checked after each event: true ends the run (`stopped`), e.g. an invariant was broken. */
  readonly stopped?: () => boolean;
  /** Called after each event, once its microtasks have run, before `stopped` and `done` are read. */
  readonly afterEach?: () => void;
}

/**
 * A discrete-event loop in virtual time. Events run one at a time in (time,
 * scheduling order); after each, the loop waits for a macrotask turn, so
 * every promise continuation the event caused runs before the clock moves
 * on. Nothing waits for real time: a run takes as long as its events take
 * to compute, and the same events in the same order give the same run.
 */
export class SimulationClock {
  private time = 0;
  private sequence = 0;
  private readonly queue = new EventQueue();
  /** Events run so far. */
  events = 0;
  /** The scope of everything that is not inside a simulated process. */
  readonly root: TimeScope = new TimeScope(this, undefined);

  /** Virtual time now, in ms. */
  now(): number {
    return this.time;
  }

  /** @internal Schedule through a scope. */
  enqueue(delay: number, run: () => void): ScheduledEvent {
    const wait = Number.isFinite(delay) && delay > 0 ? delay : 0;
    const event: ScheduledEvent = { time: this.time + wait, sequence: this.sequence++, run };
    this.queue.push(event);
    return event;
  }

  /** Run events until `done`, `stopped`, the deadline, or none is left (`idle`). An event that throws ends the run by throwing. */
  async run(options: RunOptions): Promise<RunEnd> {
    await microtasksDrained(); // what the caller started runs at time 0, before the first event
    for (;;) {
      options.afterEach?.();
      if (options.stopped?.() === true) return 'stopped';
      if (options.done?.() === true) return 'done';
      const event = this.queue.pop();
      if (!event) return 'idle';
      if (event.time > (typeof options.deadline === 'number' ? options.deadline : options.deadline())) {
        this.queue.push(event);
        return 'deadline';
      }
      const run = event.run;
      if (run === undefined) continue; // cancelled
      event.run = undefined;
      this.time = event.time;
      this.events++;
      run();
      await microtasksDrained();
    }
  }

  /** Drop every event still queued (the run is over). */
  clear(): void {
    this.queue.clear();
  }
}

/**
 * A part of the simulated world whose timers can all be cut at once: a
 * process that crashes. Its events, and those of its children, never run
 * after `kill()`, so the promises waiting on them never settle, as in a
 * process that is gone. It is also an RxJS `SchedulerLike`, so the driver
 * keeps its time (timings, retry backoff) on the scope of the process it
 * runs in.
 */
export class TimeScope implements SchedulerLike {
  private killed = false;
  private readonly children: TimeScope[] = [];

  constructor(
    private readonly clock: SimulationClock,
    private readonly parent: TimeScope | undefined,
  ) {
    parent?.children.push(this);
  }

  /** False once this scope or a parent was killed. */
  get alive(): boolean {
    return !this.killed && (this.parent?.alive ?? true);
  }

  now(): number {
    return this.clock.now();
  }

  /** Run `task` after `delay` ms of virtual time, unless this scope dies first. Returns a cancel. */
  after(delay: number, task: () => void): () => void {
    const event = this.clock.enqueue(delay, () => {
      if (this.alive) task();
    });
    return () => {
      event.run = undefined;
    };
  }

  /** Resolves after `ms` of virtual time; never, if the scope dies first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  /** A scope that dies with this one (and can die alone). */
  child(): TimeScope {
    return new TimeScope(this.clock, this);
  }

  /** Cut every timer of this scope and its children, for good. */
  kill(): void {
    this.killed = true;
  }

  schedule<T>(work: (this: SchedulerAction<T>, state: T) => void, delay = 0, state?: T): Subscription {
    return new ScopeAction(this, work).schedule(state, delay);
  }
}

/** An RxJS scheduler action on a scope: runs once, unless its work schedules it again (as `interval` does). */
class ScopeAction<T> extends Subscription implements SchedulerAction<T> {
  private cancel: (() => void) | undefined;

  constructor(
    private readonly scope: TimeScope,
    private readonly work: (this: SchedulerAction<T>, state: T) => void,
  ) {
    super();
    this.add(() => this.cancel?.());
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.cancel?.();
    this.cancel = this.scope.after(delay, () => {
      this.cancel = undefined;
      this.work.call(this, state as T);
      if (!this.scheduled()) this.unsubscribe(); // the work did not schedule it again: done
    });
    return this;
  }

  private scheduled(): boolean {
    return this.cancel !== undefined;
  }
}
