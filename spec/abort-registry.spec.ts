import { getMaxListeners } from 'node:events';
import { type AbortListener, AbortRegistry } from '../lib/abort-registry';

function listener(log: string[], name: string): AbortListener {
  return { onAbort: (reason) => log.push(`${name}:${String(reason)}`), previousListener: undefined, nextListener: undefined };
}

describe('AbortRegistry', () => {
  it('aborts every listening execution once, and the signal with the same reason', () => {
    const registry = new AbortRegistry();
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
    const registry = new AbortRegistry();
    const log: string[] = [];
    const nodes = ['a', 'b', 'c', 'd'].map((n) => listener(log, n));
    for (const node of nodes) registry.listen(node);
    const [a, b, , d] = nodes;
    if (!a || !b || !d) throw new Error('unreachable');
    registry.unlisten(d); // tail (last added)
    registry.unlisten(a); // head
    registry.unlisten(b); // middle
    registry.abort('x');
    expect(log).toEqual(['c:x']);
  });

  it('aborts every listener even when one, aborted, makes another finish and unlisten during the walk', () => {
    const registry = new AbortRegistry();
    const log: string[] = [];
    const [a, b] = [listener(log, 'a'), listener(log, 'b')];
    // c's cancellation releases b, which finishes at once and stops listening, while the abort walks c, b, a (oldest first).
    const c: AbortListener = {
      onAbort: (reason) => {
        log.push(`c:${String(reason)}`);
        registry.unlisten(b);
        registry.unlisten(c);
      },
      previousListener: undefined,
      nextListener: undefined,
    };
    for (const node of [c, b, a]) registry.listen(node);
    registry.abort('stop');
    expect(log).toEqual(['c:stop', 'b:stop', 'a:stop']);
  });

  it('ends executions in the order they started, every one before the signal fires', () => {
    const registry = new AbortRegistry();
    const log: string[] = [];
    registry.signal.addEventListener('abort', () => log.push('signal'));
    for (const name of ['a', 'b', 'c']) registry.listen(listener(log, name));
    registry.abort('stop');
    expect(log).toEqual(['a:stop', 'b:stop', 'c:stop', 'signal']);
  });

  it('refuses a listener after abort, calling it at once', () => {
    const registry = new AbortRegistry();
    registry.abort('late');
    const log: string[] = [];
    expect(registry.listen(listener(log, 'a'))).toBe(false);
    expect(log).toEqual(['a:late']);
  });

  // Node warns once listeners on the signal exceed its bound: the bound follows the
  // executions listening at once (Jest hides process warnings, so the bound is read
  // directly; spec/hostile-authority-state.spec.ts watches for the warning in a child process).
  it('raises the signal listener bound with the most executions listening at once, and never lowers it', () => {
    const registry = new AbortRegistry();
    const slack = getMaxListeners(registry.signal);
    const executions = Array.from({ length: 64 }, (_, i) => listener([], String(i)));
    for (const execution of executions) registry.listen(execution);
    expect(getMaxListeners(registry.signal)).toBe(64 + slack);
    for (const execution of executions.slice(1)) registry.unlisten(execution);
    registry.listen(listener([], 'late'));
    expect(getMaxListeners(registry.signal)).toBe(64 + slack);
  });

  it('keeps the bound low when few executions listen, so a state that leaks listeners is still warned of', () => {
    const registry = new AbortRegistry();
    const slack = getMaxListeners(registry.signal);
    for (let i = 0; i < 100; i++) {
      const execution = listener([], String(i));
      registry.listen(execution);
      registry.unlisten(execution);
    }
    expect(getMaxListeners(registry.signal)).toBe(1 + slack);
  });

  it('does not count a listener an abort has already unlinked', () => {
    const registry = new AbortRegistry();
    const slack = getMaxListeners(registry.signal);
    const a = listener([], 'a');
    registry.listen(a);
    registry.abort('x');
    registry.unlisten(a); // a journey's teardown after the abort
    expect(getMaxListeners(registry.signal)).toBe(1 + slack);
  });
});
