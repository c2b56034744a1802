import { PerformanceObserver, constants } from 'node:perf_hooks';

/** GC pauses seen by this process since it loaded this module: total ms, and the young-generation (scavenge) ones. */
export interface GcPauses {
  readonly totalMs: number;
  readonly youngMs: number;
  readonly young: number;
}

const seen = { totalMs: 0, youngMs: 0, young: 0 };
/** Exported, so held for the life of the process: an observer nothing references is collected, and stops counting. */
export const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    seen.totalMs += entry.duration;
    if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) {
      seen.youngMs += entry.duration;
      seen.young++;
    }
  }
});
gcObserver.observe({ entryTypes: ['gc'] });

/** The pauses so far (a copy): subtract two readings to get a run's. */
export function gcPauses(): GcPauses {
  return { ...seen };
}

/** GC entries are delivered asynchronously, after the turns already queued: wait a little so a run's last pauses are counted. */
export function gcSettled(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}
