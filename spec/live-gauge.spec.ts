import { Registry } from 'prom-client';
import { liveGauge } from '../lib/live-gauge';

describe('liveGauge', () => {
  it('reads its value at scrape time', async () => {
    const registry = new Registry();
    let value = 1;
    liveGauge(registry, 'example_live', 'An example', () => value);
    expect((await registry.getSingleMetric('example_live')?.get())?.values[0]?.value).toBe(1);
    value = 7;
    expect(await registry.metrics()).toContain('example_live 7');
  });
});
