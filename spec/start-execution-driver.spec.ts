import { of } from 'rxjs';
import { MAX_CONCURRENT_EXECUTIONS, startExecutionDriver } from '../lib';
import { pending, result } from './support/certificates';
import { ScriptedAuthorityState } from './support/scripted-authority-state';
import { silentLogger } from './support/silent-logger';

describe('startExecutionDriver', () => {
  it('wires a spawned driver with fresh metrics and the default concurrency', async () => {
    const state = new ScriptedAuthorityState((c) => Promise.resolve(result(c.digest)));
    const items = Array.from({ length: 40 }, (_, i) => pending(`d${i}`));
    const handle = startExecutionDriver(state, of(...items), { logger: silentLogger });
    const summary = await handle.done;
    expect(summary.executed).toBe(40);
    expect(state.maxInFlight).toBe(MAX_CONCURRENT_EXECUTIONS);
    const executed = await handle.metrics.registry.getSingleMetric('execution_driver_executed_total')?.get();
    expect(executed?.values[0]?.value).toBe(40);
  });

  it('subscribes an observer before the first certificate: it sees every outcome of a synchronous source and state', async () => {
    const state = new ScriptedAuthorityState((c) => [result(c.digest)]);
    const seen: string[] = [];
    const handle = startExecutionDriver(state, of(pending('a'), pending('b')), { logger: silentLogger }, { next: (o) => seen.push(`${o.kind}:${o.digest}`) });
    await handle.done;
    expect(seen).toEqual(['executed:a', 'executed:b']);
  });
});
