import { setMaxListeners } from 'node:events';

/** Something in flight that can be aborted: a node of the registry's intrusive list. */
export interface AbortListener {
  onAbort(reason: unknown): void;
  /** List links, owned by the registry. */
  previousListener: AbortListener | undefined;
  nextListener: AbortListener | undefined;
}

/** Listeners allowed on the signal beyond one per execution, before Node warns of a leak. */
const LISTENER_SLACK = 10;

/**
 * Aborts every in-flight execution of a run at once. Executions are linked
 * into an intrusive list while they run: listening and unlistening allocate
 * nothing (a `Set` of listeners churned once per certificate showed up as
 * most of the driver's GC time, see bench/). The `AbortSignal` handed to the
 * state aborts alongside, for executions that can cancel their own work.
 *
 * It knows nothing of the concurrency limit: each execution may add one
 * listener to the shared signal, so the signal's listener bound follows the
 * most executions that have listened at once (plus slack). Lowering the limit
 * while many run is then no false leak warning, and a state that adds a
 * listener per execution without removing it still gets one.
 */
export class AbortRegistry {
  private readonly controller = new AbortController();
  /** The controller's signal, read once: its getter is not free, and every execution is handed it. */
  readonly signal: AbortSignal = this.controller.signal;
  /** `signal.aborted`, kept here: the signal's getter validates its receiver on every read. */
  private aborted = false;
  private head: AbortListener | undefined;
  private tail: AbortListener | undefined;
  private listening = 0;
  private mostListening = 0;

  constructor() {
    setMaxListeners(LISTENER_SLACK, this.signal);
  }

  /**
   * Call `listener.onAbort` on abort. If the run is already aborted, call it
   * now and return false: the caller must not start work.
   */
  listen(listener: AbortListener): boolean {
    const { signal } = this;
    if (this.aborted) {
      listener.onAbort(signal.reason);
      return false;
    }
    // Appended: an abort walks from the head, so executions end in the order they started.
    listener.nextListener = undefined;
    listener.previousListener = this.tail;
    if (this.tail) this.tail.nextListener = listener;
    else this.head = listener;
    this.tail = listener;
    if (++this.listening > this.mostListening) {
      this.mostListening = this.listening;
      setMaxListeners(this.mostListening + LISTENER_SLACK, signal);
    }
    return true;
  }

  /**
   * Stop listening. Once aborted this does nothing: the abort is walking the
   * list, and a listener that finishes meanwhile (another's cancellation
   * released it) must not relink its neighbours under the walk.
   */
  unlisten(listener: AbortListener): void {
    if (this.aborted) return;
    const { previousListener, nextListener } = listener;
    if (previousListener) previousListener.nextListener = nextListener;
    else if (this.head === listener) this.head = nextListener;
    else return; // not linked
    if (nextListener) nextListener.previousListener = previousListener;
    else this.tail = previousListener;
    listener.previousListener = undefined;
    listener.nextListener = undefined;
    this.listening--;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    let listener = this.head;
    this.head = undefined;
    this.tail = undefined;
    this.listening = 0;
    // Every execution ends as aborted first, then the signal fires: a state that answers the signal at once (its
    // Observable errors or completes from its own 'abort' listener) would otherwise be taken for a failing state.
    while (listener) {
      const next = listener.nextListener;
      listener.previousListener = undefined;
      listener.nextListener = undefined;
      listener.onAbort(reason);
      listener = next;
    }
    this.controller.abort(reason);
  }
}
