/** What `Date.now()` answers at virtual time 0: 2026-01-01T00:00:00Z, so dates in a trace look like dates. */
export const SIMULATED_EPOCH_MS = Date.UTC(2026, 0, 1);

/**
 * For the length of a run, the process's clocks and random source answer
 * from the simulation: `Date.now()` and `performance.now()` read virtual
 * time, `Math.random()` a seeded stream. Code the simulation does not
 * control (a plugged-in state, a library) then cannot make two runs of one
 * seed differ through them. Returns the function that puts the originals
 * back. Timers (`setTimeout`) are not virtualised: simulated code keeps its
 * time on the scheduler it is given.
 */
export function virtualiseGlobals(now: () => number, random: () => number): () => void {
  const dateNow = Date.now;
  const mathRandom = Math.random;
  const ownPerformanceNow = Object.getOwnPropertyDescriptor(performance, 'now');
  Date.now = () => SIMULATED_EPOCH_MS + Math.floor(now());
  Math.random = random;
  Object.defineProperty(performance, 'now', { value: now, configurable: true, writable: true });
  return () => {
    Date.now = dateNow;
    Math.random = mathRandom;
    if (ownPerformanceNow) Object.defineProperty(performance, 'now', ownPerformanceNow);
    else delete (performance as { now?: unknown }).now;
  };
}
