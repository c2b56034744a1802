import type { Simulation } from './simulation';

/** One control of the dashboards: a key in the terminal, a button in the browser. */
export interface Control {
  readonly key: string;
  /** Short name, for the help line and the button. */
  readonly label: string;
  readonly run: (simulation: Simulation) => void;
}

const BURST = 20_000;

/** Every control, in help-line order. Quitting is the UI's own (q). */
export const CONTROLS: readonly Control[] = [
  { key: '+', label: 'concurrency ×2', run: (s) => s.setConcurrency(s.pipeline.driver.maxConcurrentExecutions * 2) },
  { key: '-', label: 'concurrency ÷2', run: (s) => s.setConcurrency(s.pipeline.driver.maxConcurrentExecutions / 2) },
  { key: 'f', label: 'failures +5 %', run: (s) => s.setFailureRate(s.store.failureRate + 0.05) },
  { key: 'F', label: 'failures -5 %', run: (s) => s.setFailureRate(s.store.failureRate - 0.05) },
  { key: 't', label: 'transient +5 %', run: (s) => s.setTransientRate(s.store.transientRate + 0.05) },
  { key: 'T', label: 'transient -5 %', run: (s) => s.setTransientRate(s.store.transientRate - 0.05) },
  { key: 'c', label: 'contention +10 %', run: (s) => s.setContention(s.generator.contention + 0.1) },
  { key: 'C', label: 'contention -10 %', run: (s) => s.setContention(s.generator.contention - 0.1) },
  { key: 'b', label: `burst ${BURST.toLocaleString('en-US')}`, run: (s) => s.burst(BURST) },
  { key: 'd', label: 'duplicates', run: (s) => s.injectDuplicates(50) },
  { key: 'e', label: 'epoch change', run: (s) => void s.changeEpoch() },
  { key: 'p', label: 'pause/resume', run: (s) => s.togglePause() },
  { key: 's', label: 'drain-stop', run: (s) => void s.stop('drain') },
  { key: 'a', label: 'abort-stop', run: (s) => void s.stop('abort') },
];

export function controlFor(key: string): Control | undefined {
  return CONTROLS.find((control) => control.key === key);
}

/** The help line: every key and what it does. */
export function helpLine(): string {
  return `${CONTROLS.map((c) => `${c.key} ${c.label}`).join(' · ')} · q quit`;
}
