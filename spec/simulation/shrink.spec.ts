import { ReferenceAuthorityState } from '../../lib/validator';
import { type SimulatedStateFactory, SimulationInvariantError, formatFailure, scenarioFor, shrinkFailure, simulate } from '../../lib/simulation';

/** A state with a bug that shows only after a restart: from its second start on, its first execution fails. */
const brokenAfterRestart: SimulatedStateFactory = ({ store, committee, incarnation }) => {
  const state = new ReferenceAuthorityState(store, committee);
  const execute = state.tryExecuteImmediately.bind(state);
  let broken = incarnation > 1;
  state.tryExecuteImmediately = (...args) => {
    if (!broken) return execute(...args);
    broken = false;
    return Promise.reject(new Error('lost its cache in the restart'));
  };
  return state;
};

describe('shrinkFailure', () => {
  it('drops every fault and transaction the failure does not need, and the minimal run replays', async () => {
    // A seed with many faults planned, that fails with this state.
    const seed = [...Array(200).keys()].map((n) => n + 1).find((s) => scenarioFor(s).faults.length >= 5 && scenarioFor(s).faults.filter((f) => f.kind === 'crash').length >= 2);
    if (seed === undefined) throw new Error('no seed with five faults and two crashes');
    const shrunk = await shrinkFailure({ seed, createState: brokenAfterRestart });
    if (!shrunk) throw new Error(`seed ${seed} passed`);
    expect(shrunk.original.invariant).toBe('unexplained-failure');
    expect(shrunk.minimal.invariant).toBe('unexplained-failure');
    // One fault is enough to restart the process: a crash, a stop, or a store fault that an operator restarts after.
    const kept = shrunk.options.faults ?? [];
    expect(kept).toHaveLength(1);
    expect(['crash', 'stop', 'store-faults', 'disk-full']).toContain(scenarioFor(seed).faults[kept[0] as number]?.kind);
    // And fewer transactions (halving toward 1 while the failure persists).
    const transactions = shrunk.options.transactions ?? Number.NaN;
    expect(transactions).toBeLessThan(scenarioFor(seed).workload.transactions);
    expect(shrunk.minimal.trace.length).toBeLessThan(shrunk.original.trace.length);
    expect(shrunk.minimal.replay).toBe(`npm run simulate -- --seed ${seed} --transactions ${transactions} --faults ${kept[0] as number} (with the same createState: call simulate() with these options)`);
    // The minimal run is a run like any other: replayed, it fails the same way, at the same moment.
    const again = await simulate(shrunk.options).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(again).toBeInstanceOf(SimulationInvariantError);
    expect((again as SimulationInvariantError).trace).toEqual(shrunk.minimal.trace);
    const report = formatFailure(shrunk);
    expect(report).toContain(`Replay: npm run simulate -- --seed ${seed} (with`);
    expect(report).toContain(`Minimal (${shrunk.runs} runs to shrink): ${shrunk.minimal.replay}`);
    expect(report).toContain('VIOLATION unexplained-failure');
  }, 120_000);

  it('resolves undefined for a run that passes', async () => {
    expect(await shrinkFailure({ seed: 3 })).toBeUndefined();
  });
});
