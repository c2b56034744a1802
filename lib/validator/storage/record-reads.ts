import { hexOf, u64Of } from './record-encoding';
import { StoreCorruptError } from './store-errors';

/**
 * Reading records back from disk. Whatever the bytes are, a decoder either
 * returns the record or throws; here any throw (a RangeError of a truncated
 * record, a parse error of an overwritten one, a record under another key)
 * becomes one {@link StoreCorruptError} that names the table and key, so a
 * damaged database is told apart from a refused call or a failed write.
 */

/** Decode `bytes`, the record at `key` of `table`; a failure is the database's damage. */
export function readRecord<T>(path: string, table: string, key: Uint8Array | string, bytes: Uint8Array, decode: (bytes: Uint8Array) => T): T {
  try {
    return decode(bytes);
  } catch (error) {
    throw new StoreCorruptError(path, table, keyText(key), `cannot be read (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/** The record's key, as {@link StoreCorruptError} names it. */
export function keyText(key: Uint8Array | string): string {
  return typeof key === 'string' ? key : hexOf(key);
}

/** An 8-byte big-endian count or version, exactly 8 bytes. */
export function u64Record(bytes: Uint8Array): number {
  return u64Of(exactLength(bytes, 8));
}

/** The bytes, if there are exactly `length` of them. */
export function exactLength(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length !== length) throw new RangeError(`it has ${bytes.length} bytes, not ${length}`);
  return bytes;
}

/** A record that decoded, but names another key than the one it is stored under (a record overwritten with another's). */
export function sameKey(what: string, stored: string, named: string): void {
  if (stored !== named) throw new RangeError(`it holds the ${what} ${named}, not its key's ${stored}`);
}
