import { createHash } from 'node:crypto';
import type { StoredObject } from '../validator/model/objects';

/** A digest or id as the trace shows it: enough hex to tell them apart in one run. */
export function short(hex: string): string {
  return hex.slice(0, 10);
}

/**
 * The run's trace: one line per event, stamped with its virtual time, and a
 * SHA-256 over every line as it is recorded. Two runs are the same run when
 * their trace digests are equal.
 */
export class SimulationTrace {
  readonly lines: string[] = [];
  private readonly hash = createHash('sha256');

  constructor(private readonly now: () => number) {}

  record(text: string): void {
    const line = `${this.now().toFixed(3).padStart(9)}  ${text}`;
    this.lines.push(line);
    this.hash.update(line).update('\n');
  }

  /** SHA-256 (hex) of every line so far. */
  digest(): string {
    return this.hash.copy().digest('hex');
  }
}

/** SHA-256 (hex) of a store's live objects: id, version and digest of each, in id order. */
export function stateDigest(objects: readonly StoredObject[]): string {
  const hash = createHash('sha256');
  for (const object of [...objects].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) hash.update(`${object.id} ${object.version} ${object.digest}\n`);
  return hash.digest('hex');
}
