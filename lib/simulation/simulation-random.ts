import { seededRandom } from '../validator/workload/seeded-random';

/** A latency or duration distribution: exponential around a mean, with rare spikes. */
export interface DurationProfile {
  /** Mean of the exponential part, in ms. */
  readonly meanMs: number;
  /** Share of draws that are a spike (0 to 1). */
  readonly spikeChance: number;
  /** A spike is this many times the usual draw. */
  readonly spikeFactor: number;
}

/** FNV-1a of a string: a stream's name as 32 bits. */
function nameHash(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * One named stream of seeded random numbers. Each concern (store latency,
 * faults, the client, consensus) draws from its own stream, so that adding
 * or dropping a draw in one does not shift every other one.
 */
export class SimulationRandom {
  private readonly next: () => number;

  constructor(seed: number, stream: string) {
    this.next = seededRandom(Math.imul(seed >>> 0, 0x9e3779b1) ^ nameHash(stream));
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A duration in ms from `profile`, at microsecond resolution and at least 1 µs. */
  duration(profile: DurationProfile): number {
    const usual = -Math.log(1 - this.next()) * profile.meanMs;
    const drawn = this.next() < profile.spikeChance ? usual * profile.spikeFactor : usual;
    return Math.max(1, Math.round(drawn * 1000)) / 1000;
  }
}
