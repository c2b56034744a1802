import { SimulationInvariantError } from './errors';
import { scenarioFor } from './scenario';
import { type SimulateOptions, simulate } from './simulate';

/** A failing run and the smallest run found that fails the same way. */
export interface ShrunkFailure {
  /** The failure of the options given. */
  readonly original: SimulationInvariantError;
  /** The smallest options that still break the same invariant. */
  readonly options: SimulateOptions;
  /** Its failure: its trace is the minimal trace, its `replay` the command for it. */
  readonly minimal: SimulationInvariantError;
  /** Simulations run to shrink (the first included). */
  readonly runs: number;
}

/** Options of {@link shrinkFailure}. */
export interface ShrinkOptions {
  /** Simulations to try at most (default 300): shrinking stops there with the smallest failure found. */
  readonly maxRuns?: number;
}

/**
 * Run `options`; if the run breaks an invariant, look for a smaller run that
 * breaks the same one, as fast-check shrinks a counterexample: drop planned
 * faults (halves first, then one at a time) while the failure persists, then
 * fewer epochs, then fewer transactions (toward 1, halving first), then try
 * the faults again. Every candidate is a full simulation, deterministic, so
 * the result replays with its own command. Resolves undefined when the run
 * passes.
 */
export async function shrinkFailure(options: SimulateOptions, shrink: ShrinkOptions = {}): Promise<ShrunkFailure | undefined> {
  const maxRuns = shrink.maxRuns ?? 300;
  let runs = 0;
  const failure = async (candidate: SimulateOptions): Promise<SimulationInvariantError | undefined> => {
    runs++;
    try {
      await simulate(candidate);
      return undefined;
    } catch (error) {
      if (error instanceof SimulationInvariantError) return error;
      throw error;
    }
  };
  const original = await failure(options);
  if (!original) return undefined;
  const scenario = scenarioFor(options.seed, { ...(options.transactions === undefined ? {} : { transactions: options.transactions }), ...(options.epochs === undefined ? {} : { epochs: options.epochs }) });
  let best: SimulateOptions = { ...options, faults: options.faults ?? scenario.faults.map((_, index) => index) };
  let minimal = original;
  /** Adopt `candidate` if it fails the same way. */
  const attempt = async (candidate: SimulateOptions): Promise<boolean> => {
    if (runs >= maxRuns) return false;
    const error = await failure(candidate);
    if (error?.invariant !== original.invariant) return false;
    best = candidate;
    minimal = error;
    return true;
  };

  const dropFaults = async (): Promise<void> => {
    for (let chunk = Math.max(1, Math.ceil((best.faults?.length ?? 0) / 2)); chunk >= 1; chunk = chunk === 1 ? 0 : Math.ceil(chunk / 2)) {
      for (let start = 0; start < (best.faults?.length ?? 0); ) {
        const faults = best.faults ?? [];
        const kept = [...faults.slice(0, start), ...faults.slice(start + chunk)];
        if (!(await attempt({ ...best, faults: kept }))) start += chunk;
      }
    }
  };
  await dropFaults();
  const epochs = best.epochs ?? scenario.workload.epochs;
  for (let fewer = 1; fewer < epochs; fewer++) if (await attempt({ ...best, epochs: fewer })) break;
  // Fewer transactions: halve toward 1 while it fails, then step down one at a time.
  let transactions = best.transactions ?? scenario.workload.transactions;
  for (let low = 1; low < transactions; ) {
    const middle = Math.floor((low + transactions) / 2);
    if (await attempt({ ...best, transactions: middle })) transactions = middle;
    else low = middle + 1;
  }
  await dropFaults();
  return { original, options: best, minimal, runs };
}

/**
 * The report of a shrunk failure, as the CLI and the CI spec print it: what
 * broke, the command that replays the original run, the command that replays
 * the minimal one, and the minimal run's trace (its start and its end when long).
 */
export function formatFailure(shrunk: ShrunkFailure, maxTraceLines = 120): string {
  const { original, minimal } = shrunk;
  const lines = [
    `Seed ${original.seed} broke ${original.invariant} at ${original.virtualTimeMs.toFixed(3)} ms: ${original.detail}`,
    `Replay: ${original.replay}`,
    `Minimal (${shrunk.runs} runs to shrink): ${minimal.replay}`,
    `  ${minimal.invariant} at ${minimal.virtualTimeMs.toFixed(3)} ms: ${minimal.detail}`,
    '',
    `Minimal trace (${minimal.trace.length} lines):`,
    ...excerpt(minimal.trace, maxTraceLines),
  ];
  return lines.join('\n');
}

function excerpt(trace: readonly string[], max: number): string[] {
  if (trace.length <= max) return [...trace];
  const head = Math.floor(max / 4);
  return [...trace.slice(0, head), `  ... ${trace.length - max} lines ...`, ...trace.slice(trace.length - (max - head))];
}
