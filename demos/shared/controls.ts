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
  { key: 'f', label: 'failures +5 %', run: (s) => s.setFailureRate(s.failureRate + 0.05) },
  { key: 'F', label: 'failures -5 %', run: (s) => s.setFailureRate(s.failureRate - 0.05) },
  { key: 't', label: 'transient +5 %', run: (s) => s.setTransientRate(s.transientRate + 0.05) },
  { key: 'T', label: 'transient -5 %', run: (s) => s.setTransientRate(s.transientRate - 0.05) },
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

/**
 * Whether a control still means something: once a stop was asked for, or a
 * fixed run generated everything, there is nothing left to turn (quitting
 * is the UI's own and always works).
 */
export function acceptsControls(simulation: Simulation): boolean {
  return simulation.feed !== 'stopped' && simulation.feed !== 'finished';
}

/** Run `control` if it still means something; false when it was ignored. */
export function runControl(control: Control, simulation: Simulation): boolean {
  if (!acceptsControls(simulation)) return false;
  control.run(simulation);
  return true;
}

/** Pairs of keys that turn one dial both ways, shown once in the help line. */
const HELP: readonly [keys: string, does: string][] = [
  ['+/-', 'concurrency'],
  ['f/F', 'failures'],
  ['t/T', 'transient'],
  ['c/C', 'contention'],
  ['b', 'burst'],
  ['d', 'duplicates'],
  ['e', 'epoch'],
  ['p', 'pause'],
  ['s/a', 'drain/abort-stop'],
  ['q', 'quit'],
];

/** The help: every key and what it does, short enough for two lines of an 80-column terminal. */
export function helpItems(): string[] {
  return HELP.map(([keys, does]) => `${keys} ${does}`);
}

/** `items` joined with ` · ` into lines of at most `width` characters, never breaking an item. */
export function wrapItems(items: readonly string[], width: number): string[] {
  const lines: string[] = [];
  for (const item of items) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 3 + item.length <= width) lines[lines.length - 1] = `${last} · ${item}`;
    else lines.push(item);
  }
  return lines;
}
