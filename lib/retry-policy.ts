import { InvalidOptionError, TransientExecutionError } from './errors';
import { MAX_DELAY_MS, isTimerDelay } from './timer-limit';

/** How transient execution failures are retried. */
export interface RetryOptions {
  /** Calls to `tryExecuteImmediately` at most, the first included. Default 3; 1 disables retries. */
  readonly maxAttempts?: number;
  /** Delay before the first retry, in ms, at most {@link MAX_DELAY_MS}. Default 10. */
  readonly initialDelayMs?: number;
  /** Each further retry waits this much longer. Default 2. */
  readonly backoffFactor?: number;
  /** Cap on one delay, in ms, at most {@link MAX_DELAY_MS}. Default 1000. */
  readonly maxDelayMs?: number;
  /** Random spread as a fraction of the delay (0 to 1), to de-synchronise retries. Default 0. */
  readonly jitter?: number;
  /**
   * Which other errors are transient. `TransientExecutionError` always is;
   * anything this does not accept fails the certificate at once.
   */
  readonly isTransient?: (error: unknown) => boolean;
}

/** Defaults for {@link RetryOptions}. */
export const DEFAULT_RETRY = {
  maxAttempts: 3,
  initialDelayMs: 10,
  backoffFactor: 2,
  maxDelayMs: 1000,
  jitter: 0,
} as const;

/** A validated retry policy. */
export class RetryPolicy {
  readonly maxAttempts: number;
  private readonly initialDelayMs: number;
  private readonly backoffFactor: number;
  private readonly maxDelayMs: number;
  private readonly jitter: number;
  private readonly predicate: ((error: unknown) => boolean) | undefined;

  constructor(options: RetryOptions = {}, private readonly random: () => number = Math.random) {
    this.maxAttempts = options.maxAttempts ?? DEFAULT_RETRY.maxAttempts;
    this.initialDelayMs = options.initialDelayMs ?? DEFAULT_RETRY.initialDelayMs;
    this.backoffFactor = options.backoffFactor ?? DEFAULT_RETRY.backoffFactor;
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
    this.jitter = options.jitter ?? DEFAULT_RETRY.jitter;
    this.predicate = options.isTransient;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new InvalidOptionError('retry.maxAttempts', this.maxAttempts, 'an integer >= 1');
    }
    for (const [name, value] of [
      ['retry.initialDelayMs', this.initialDelayMs],
      ['retry.maxDelayMs', this.maxDelayMs],
    ] as const) {
      if (!isTimerDelay(value, 0)) throw new InvalidOptionError(name, value, `a number of milliseconds from 0 to ${MAX_DELAY_MS}`);
    }
    if (!(this.backoffFactor >= 1 && Number.isFinite(this.backoffFactor))) {
      throw new InvalidOptionError('retry.backoffFactor', this.backoffFactor, 'a finite number >= 1');
    }
    if (!(this.jitter >= 0 && this.jitter <= 1)) throw new InvalidOptionError('retry.jitter', this.jitter, 'between 0 and 1');
  }

  isTransient(error: unknown): boolean {
    return error instanceof TransientExecutionError || (this.predicate?.(error) ?? false);
  }

  /** Delay before retry number `retry` (1 for the first retry), in ms. */
  delayBeforeRetry(retry: number): number {
    // A factor raised far enough is Infinity, and 0 times that NaN: a zero initial delay stays zero.
    const grown = this.initialDelayMs === 0 ? 0 : this.initialDelayMs * this.backoffFactor ** (retry - 1);
    const base = Math.min(this.maxDelayMs, grown);
    // Jitter may add up to the whole delay again: still within what a timer honours.
    return this.jitter === 0 ? base : Math.min(MAX_DELAY_MS, base * (1 - this.jitter + 2 * this.jitter * this.random()));
  }
}
