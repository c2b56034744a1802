/**
 * The longest delay or period a Node timer honours, in ms: 2^31 - 1 (about
 * 24.8 days). Node runs a longer one after 1 ms, with a
 * `TimeoutOverflowWarning`, so the driver refuses it rather than spin.
 */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/** True for a number of milliseconds from `min` to {@link MAX_DELAY_MS} (`min` itself excluded when `exclusive`). */
export function isTimerDelay(value: unknown, min: number, exclusive = false): value is number {
  return typeof value === 'number' && (exclusive ? value > min : value >= min) && value <= MAX_DELAY_MS;
}
