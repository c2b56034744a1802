/** The options a replay needs (see `SimulateOptions`). */
export interface ReplayOptions {
  readonly seed: number;
  readonly transactions?: number;
  readonly epochs?: number;
  readonly faults?: readonly number[];
  readonly createState?: unknown;
}

/**
 * The shell command that replays a run: `npm run simulate -- --seed N`,
 * with the options that narrowed it. A plugged-in state cannot be named on
 * a command line: the command then says to pass the same `createState`.
 */
export function replayCommand(options: ReplayOptions): string {
  const parts = ['npm run simulate -- --seed', String(options.seed)];
  if (options.transactions !== undefined) parts.push('--transactions', String(options.transactions));
  if (options.epochs !== undefined) parts.push('--epochs', String(options.epochs));
  if (options.faults !== undefined) parts.push('--faults', options.faults.length === 0 ? 'none' : options.faults.join(','));
  const command = parts.join(' ');
  return options.createState === undefined ? command : `${command} (with the same createState: call simulate() with these options)`;
}
