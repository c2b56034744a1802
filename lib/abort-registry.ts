import { setMaxListeners } from 'node:events';

/** Something in flight that can be aborted: a node of the registry's intrusive list. */
export interface AbortListener {
  onAbort(reason: unknown): void;
  /** List links, owned by the registry. */
  previousListener: AbortListener | undefined;
  nextListener: AbortListener | undefined;
}

/**
 * Aborts every in-flight execution of a run at once. Executions are linked
 * into an intrusive list while they run: listening and unlistening allocate
 * nothing (a `Set` of listeners churned once per certificate showed up as
 * most of the driver's GC time, see bench/). The `AbortSignal` handed to the
 * state aborts alongside, for executions that can cancel their own work.
 */
export class AbortRegistry {
  private readonly controller = new AbortController();
  private head: AbortListener | undefined;

  /**
   * @param maxConcurrent executions sharing the signal at once. Each may
   * listen to it, so Node's default of 10 listeners would warn on legitimate
   * use; above this bound (plus slack), a warning still points to a leak.
   */
  constructor(maxConcurrent: number) {
    this.setMaxConcurrent(maxConcurrent);
  }

  /** The concurrency limit changed: so does the listener bound. */
  setMaxConcurrent(maxConcurrent: number): void {
    setMaxListeners(maxConcurrent + 10, this.controller.signal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Call `listener.onAbort` on abort. If the run is already aborted, call it
   * now and return false: the caller must not start work.
   */
  listen(listener: AbortListener): boolean {
    if (this.controller.signal.aborted) {
      listener.onAbort(this.controller.signal.reason);
      return false;
    }
    listener.previousListener = undefined;
    listener.nextListener = this.head;
    if (this.head) this.head.previousListener = listener;
    this.head = listener;
    return true;
  }

  /** Stop listening. Only call for a listener that `listen` accepted. */
  unlisten(listener: AbortListener): void {
    const { previousListener, nextListener } = listener;
    if (previousListener) previousListener.nextListener = nextListener;
    else if (this.head === listener) this.head = nextListener;
    if (nextListener) nextListener.previousListener = previousListener;
    listener.previousListener = undefined;
    listener.nextListener = undefined;
  }

  abort(reason: unknown): void {
    if (this.controller.signal.aborted) return;
    this.controller.abort(reason);
    let listener = this.head;
    this.head = undefined;
    while (listener) {
      const next = listener.nextListener;
      listener.previousListener = undefined;
      listener.nextListener = undefined;
      listener.onAbort(reason);
      listener = next;
    }
  }
}
