/**
 * A short, never-throwing description of any value for an error message:
 * `"8"` (a string), `42`, `undefined`, `Symbol(x)`, `a function`, `an object (Foo)`.
 * It reads nothing but `typeof` and the constructor's name, so a hostile
 * object (a Proxy, a throwing getter) cannot make it throw.
 */
export function describeValue(value: unknown): string {
  try {
    switch (typeof value) {
      case 'string':
        return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}… (a string)` : `${JSON.stringify(value)} (a string)`;
      case 'number':
      case 'boolean':
      case 'undefined':
        return String(value);
      case 'bigint':
        return `${value}n`;
      case 'symbol':
        return value.toString();
      case 'function':
        return 'a function';
      default: {
        if (value === null) return 'null';
        if (Array.isArray(value)) return `an array of ${value.length}`;
        const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
        return typeof name === 'string' && name !== '' && name !== 'Object' ? `an object (${name})` : 'an object';
      }
    }
  } catch {
    return 'a value that cannot be inspected';
  }
}
