import { ReferenceAuthorityState, type Committee, type ObjectStore } from 'soma-execution-driver/validator';
import { type SimulatedStateFactory, SimulationInvariantError, simulate } from 'soma-execution-driver/simulation';

/** Your state: the reference one with a cache of what it executed, to spare the store a read per duplicate. */
class CachingState extends ReferenceAuthorityState {
  private readonly executed = new Set<string>();

  constructor(store: ObjectStore, committee: Committee, private readonly cacheEarly: boolean) {
    super(store, committee);
  }

  override async isTxAlreadyExecuted(digest: string): Promise<boolean> {
    return this.executed.has(digest) || super.isTxAlreadyExecuted(digest);
  }

  override async tryExecuteImmediately(...call: Parameters<ReferenceAuthorityState['tryExecuteImmediately']>) {
    if (this.cacheEarly) this.executed.add(call[0].digest); // the bug: before the execution has committed
    const result = await super.tryExecuteImmediately(...call);
    this.executed.add(call[0].digest);
    return result;
  }
}

/** The first of seeds 1 to 60 on which the simulated validator, running `createState`'s state, breaks an invariant. */
async function firstFailure(createState: SimulatedStateFactory): Promise<SimulationInvariantError | undefined> {
  for (let seed = 1; seed <= 60; seed++) {
    try {
      await simulate({ seed, createState });
    } catch (error) {
      if (error instanceof SimulationInvariantError) return error;
      throw error;
    }
  }
  return undefined;
}

it('passes with the cache filled once an execution has committed', async () => {
  expect(await firstFailure(({ store, committee }) => new CachingState(store, committee, false))).toBeUndefined();
}, 60_000);

it('finds the cache filled before: an execution that fails is then skipped as already executed, for good', async () => {
  const failure = await firstFailure(({ store, committee }) => new CachingState(store, committee, true));
  expect(failure?.invariant).toBe('liveness');
  expect(failure?.replay).toMatch(/^npm run simulate -- --seed \d+ \(with the same createState/);
}, 60_000);
