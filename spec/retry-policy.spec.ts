import { InvalidOptionError, MAX_DELAY_MS, TransientExecutionError } from '../lib';
import { RetryPolicy } from '../lib/retry-policy';

describe('RetryPolicy', () => {
  it('backs off exponentially up to the cap', () => {
    const policy = new RetryPolicy({ initialDelayMs: 10, backoffFactor: 3, maxDelayMs: 200 });
    expect([1, 2, 3, 4].map((n) => policy.delayBeforeRetry(n))).toEqual([10, 30, 90, 200]);
  });

  it('spreads delays by the jitter fraction', () => {
    const low = new RetryPolicy({ initialDelayMs: 100, jitter: 0.5 }, () => 0);
    const high = new RetryPolicy({ initialDelayMs: 100, jitter: 0.5 }, () => 1);
    expect([low.delayBeforeRetry(1), high.delayBeforeRetry(1)]).toEqual([50, 150]);
  });

  it('treats TransientExecutionError, and what the predicate accepts, as transient', () => {
    const policy = new RetryPolicy({ isTransient: (e) => e === 'EAGAIN' });
    expect(policy.isTransient(new TransientExecutionError('busy'))).toBe(true);
    expect(policy.isTransient('EAGAIN')).toBe(true);
    expect(policy.isTransient(new Error('bad'))).toBe(false);
    expect(new RetryPolicy().isTransient('EAGAIN')).toBe(false);
  });

  it.each([
    [{ maxAttempts: 0 }, 'retry.maxAttempts'],
    [{ maxAttempts: 1.5 }, 'retry.maxAttempts'],
    [{ initialDelayMs: -1 }, 'retry.initialDelayMs'],
    [{ maxDelayMs: Number.NaN }, 'retry.maxDelayMs'],
    [{ backoffFactor: 0.5 }, 'retry.backoffFactor'],
    [{ jitter: 2 }, 'retry.jitter'],
    // A Node timer runs a longer delay after 1 ms.
    [{ initialDelayMs: 2 ** 31 }, 'retry.initialDelayMs'],
    [{ maxDelayMs: 2 ** 31 }, 'retry.maxDelayMs'],
    [{ maxDelayMs: Infinity }, 'retry.maxDelayMs'],
  ])('rejects %j naming %s', (options, option) => {
    expect(() => new RetryPolicy(options)).toThrow(InvalidOptionError);
    expect(() => new RetryPolicy(options)).toThrow(option);
  });

  it('keeps every delay within what a timer honours, jitter and a huge backoff included', () => {
    const spread = new RetryPolicy({ initialDelayMs: MAX_DELAY_MS, maxDelayMs: MAX_DELAY_MS, jitter: 1 }, () => 1);
    expect(spread.delayBeforeRetry(1)).toBe(MAX_DELAY_MS);
    const zero = new RetryPolicy({ initialDelayMs: 0, backoffFactor: 1e308, maxAttempts: 5 });
    expect(zero.delayBeforeRetry(4)).toBe(0);
    const capped = new RetryPolicy({ initialDelayMs: 1, backoffFactor: 1e308, maxDelayMs: 50 });
    expect(capped.delayBeforeRetry(3)).toBe(50);
    expect(new RetryPolicy({ initialDelayMs: MAX_DELAY_MS, maxDelayMs: MAX_DELAY_MS }).delayBeforeRetry(1)).toBe(MAX_DELAY_MS);
  });
});
