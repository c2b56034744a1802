import { type AbortListener, AbortRegistry } from '../lib/abort-registry';

function listener(log: string[], name: string): AbortListener {
  return { onAbort: (reason) => log.push(`${name}:${String(reason)}`), previousListener: undefined, nextListener: undefined };
}

describe('AbortRegistry', () => {
  it('aborts every listening execution once, and the signal with the same reason', () => {
    const registry = new AbortRegistry(4);
    const log: string[] = [];
    const [a, b, c] = [listener(log, 'a'), listener(log, 'b'), listener(log, 'c')];
    expect([registry.listen(a), registry.listen(b), registry.listen(c)]).toEqual([true, true, true]);
    registry.unlisten(b);
    registry.abort('stop');
    registry.abort('again');
    expect(log.sort()).toEqual(['a:stop', 'c:stop']);
    expect(registry.signal.aborted).toBe(true);
    expect(registry.signal.reason).toBe('stop');
  });

  it('unlinks from the head, the middle and the tail', () => {
    const registry = new AbortRegistry(4);
    const log: string[] = [];
    const nodes = ['a', 'b', 'c', 'd'].map((n) => listener(log, n));
    for (const node of nodes) registry.listen(node);
    const [a, b, , d] = nodes;
    if (!a || !b || !d) throw new Error('unreachable');
    registry.unlisten(d); // head (last added)
    registry.unlisten(a); // tail
    registry.unlisten(b); // middle
    registry.abort('x');
    expect(log).toEqual(['c:x']);
  });

  it('refuses a listener after abort, calling it at once', () => {
    const registry = new AbortRegistry(1);
    registry.abort('late');
    const log: string[] = [];
    expect(registry.listen(listener(log, 'a'))).toBe(false);
    expect(log).toEqual(['a:late']);
  });

  it('lets as many listeners as executions share the signal without a leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const registry = new AbortRegistry(32);
    const handlers = Array.from({ length: 32 }, () => () => undefined);
    for (const handler of handlers) registry.signal.addEventListener('abort', handler);
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
