import { type SimulationResult, SimulationInvariantError, formatFailure, shrinkFailure, simulate } from '../../lib/simulation';

/** Seeds run in CI; `npm run soak:simulate` runs many more. */
const SEEDS = 1_000;

describe('the simulated validator over 1,000 seeds', () => {
  const totals = new Map<string, number>();
  const results: SimulationResult[] = [];

  beforeAll(async () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      try {
        const result = await simulate({ seed });
        results.push(result);
        for (const [what, n] of Object.entries(result.counts)) totals.set(what, (totals.get(what) ?? 0) + n);
      } catch (error) {
        if (!(error instanceof SimulationInvariantError)) throw error;
        // The failure, with the command that replays it and the minimal run.
        const shrunk = await shrinkFailure({ seed }, { maxRuns: 60 });
        throw new Error(shrunk ? formatFailure(shrunk) : error.message, { cause: error });
      }
    }
  }, 600_000);

  it('breaks no invariant on any seed: each ends with every certificate executed once and the state of sequential execution', () => {
    expect(results).toHaveLength(SEEDS);
    for (const result of results) {
      expect(result.timeline.executedAtMs).toHaveLength(result.scenario.workload.transactions);
      expect(result.finalStateDigest).toMatch(/^[0-9a-f]{64}$/);
    }
    // Different seeds are different runs.
    expect(new Set(results.map((r) => r.traceDigest)).size).toBe(SEEDS);
  });

  it('exercised every fault and every path it claims to, across the seeds', () => {
    const count = (what: string) => totals.get(what) ?? 0;
    const never = [
      'crashes',
      'recovered certificates',
      'redeliveries',
      'epoch changes',
      'limit changes',
      'hand-backs',
      'client retries',
      'duplicates sent',
      'wrong-epoch refusals',
      'commits failed by the store',
      'submits failed by the store',
      'store faults readObjects',
      'store faults readLatest',
      'store faults readExecuted',
      'store faults commit',
      'store faults epoch-tables',
      'store faults disk-full',
      'outcome failed retries-exhausted',
      'outcome failed aborted',
      'submits answered already-executed',
      'submits answered already-pending',
      'refusals pending-and-executing',
      'refusals per-object-queue',
      'refusals queue-age',
      'executed as cancelled',
      'cancelled at sequencing (owned version claimed)',
    ].filter((what) => count(what) === 0);
    expect(never).toEqual([]);
    // Graceful stops beyond the final one, in both modes (the final stop of each run is one more).
    expect(count('stops')).toBeGreaterThan(SEEDS);
  });
});
