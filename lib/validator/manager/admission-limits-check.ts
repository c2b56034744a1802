import { InvalidOptionError } from '../../errors';

/** The admission limits that are counts of certificates (the others are ages in ms). */
const COUNTS: ReadonlySet<string> = new Set(['maxPendingAndExecuting', 'maxPerObjectQueue', 'maxAwaitingCreation', 'maxPastLimit']);

/**
 * The admission limits in force: `defaults`, overridden by what `given` sets.
 * A count must be an integer >= 1 (0 would refuse or hand back everything
 * for good), an age a number of ms >= 0; `Infinity` is allowed for either and
 * means no limit. An option present with the value `undefined` means its
 * default, as an absent one (never "no limit").
 * @throws InvalidOptionError (`limits.<name>`) for anything else: NaN, a
 * negative number, a count below 1 or not whole, a string, a name that is no
 * limit (a misspelling); or (`limits`) when `given` is not an object.
 */
export function checkedAdmissionLimits<K extends string>(given: unknown, defaults: Readonly<Record<K, number>>): Record<K, number> {
  if (given === undefined) return { ...defaults };
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new InvalidOptionError('limits', given, 'an object of admission limits');
  const limits: Record<K, number> = { ...defaults };
  // A misspelt limit would silently leave the default in force.
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(defaults, name)) throw new InvalidOptionError(`limits.${name}`, (given as Record<string, unknown>)[name], `no such limit; the limits are ${Object.keys(defaults).join(', ')}`);
  }
  for (const name of Object.keys(defaults) as K[]) {
    const value: unknown = (given as Partial<Record<K, unknown>>)[name];
    if (value === undefined) continue;
    const count = COUNTS.has(name);
    const valid = typeof value === 'number' && (value === Number.POSITIVE_INFINITY || (count ? Number.isSafeInteger(value) && value >= 1 : Number.isFinite(value) && value >= 0));
    if (!valid) throw new InvalidOptionError(`limits.${name}`, value, count ? 'an integer >= 1, or Infinity (no limit)' : 'a number of milliseconds >= 0, or Infinity (no limit)');
    limits[name] = value;
  }
  return limits;
}
