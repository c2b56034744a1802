import type { ExecutionOutcome } from '../lib';
import { OutcomeTally } from '../lib/outcomes';
import { pending, result } from './support/certificates';

describe('OutcomeTally', () => {
  it('counts outcomes by kind and reason, and retries beyond the first attempt', () => {
    const base = { digest: 'a', pending: pending('a'), queueingDelayMs: 0 };
    const outcomes: ExecutionOutcome[] = [
      { ...base, ...result('a'), kind: 'executed', latencyMs: 1, attempts: 3 },
      { ...base, kind: 'skipped', reason: 'wrong-epoch', currentEpoch: 2 },
      { ...base, kind: 'skipped', reason: 'already-executed' },
      { ...base, kind: 'failed', reason: 'retries-exhausted', error: new Error('busy'), attempts: 3 },
      { ...base, kind: 'failed', reason: 'malformed-certificate', error: new Error('bad'), attempts: 0 },
    ];
    const tally = new OutcomeTally();
    for (const outcome of outcomes) tally.add(outcome);
    expect(tally.total).toBe(5);
    const unstarted = [pending('z')];
    expect(tally.summarize(unstarted)).toEqual({
      executed: 1,
      skipped: { 'already-executed': 1, 'duplicate-in-flight': 0, 'wrong-epoch': 1 },
      failed: 2,
      fatal: 0,
      retries: 4,
      unstarted,
    });
  });
});
