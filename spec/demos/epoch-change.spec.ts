import { runEpochChange } from '../../demos/epoch-change/run-epoch-change';

describe('epoch change demo', () => {
  it('drains, switches, refuses old-epoch certificates, and carries on in the new epoch', async () => {
    const lines: string[] = [];
    const result = await runEpochChange((line) => lines.push(line));
    const text = lines.join('\n');
    expect(lines[0]).toMatch(/^metrics: http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(result.epoch).toBe(1);
    expect(result.staleRefused).toBe(20);
    expect(result.committed).toBe(result.generated);
    // In this order: draining, drained, switched with refusals, running again.
    const order = [/epoch change: draining epoch 0/, /epoch 0 drained in \d+ ms; reconfiguring/, /epoch 1: 20 certificates of epoch 0 refused/, /running in the new epoch\s+epoch 1/];
    const positions = order.map((pattern) => text.search(pattern));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(text).toMatch(/drained in \d+ ms; reconfiguring\s+epoch 0 · committed [\d,]+ · in manager 0 · in flight 0/);
  }, 60_000);
});
