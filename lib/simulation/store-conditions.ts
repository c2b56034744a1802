import { StoreFullError } from '../validator/storage/store-errors';
import { SimulatedStoreFault, type StoreOperation } from './errors';
import type { StoreConditions } from './simulated-store';
import type { SimulationRandom } from './simulation-random';
import type { SimulationScenario } from './scenario';

/** A window of transient store faults. */
interface FaultWindow {
  readonly untilMs: number;
  readonly probability: number;
  readonly operations: readonly StoreOperation[];
}

/**
 * The store's weather, shared by every process's handle on the disk:
 * latencies drawn from the scenario's profiles, windows of transient faults,
 * and a full disk (every write fails) until an operator frees space.
 */
export class SimulatedStoreConditions implements StoreConditions {
  readonly readAt: 'call' | 'completion';
  diskFull = false;
  private windows: FaultWindow[] = [];
  /** Faults injected so far, by operation. */
  readonly injected = new Map<StoreOperation | 'disk-full', number>();

  constructor(
    private readonly scenario: SimulationScenario,
    private readonly now: () => number,
    private readonly latency: SimulationRandom,
    private readonly faults: SimulationRandom,
  ) {
    this.readAt = scenario.store.readAt;
  }

  readLatency(): number {
    return this.latency.duration(this.scenario.store.read);
  }

  writeLatency(): number {
    return this.latency.duration(this.scenario.store.write);
  }

  /** From now, for `forMs`, operations of these kinds fail with this probability. */
  addWindow(forMs: number, probability: number, operations: readonly StoreOperation[]): void {
    this.windows.push({ untilMs: this.now() + forMs, probability, operations });
  }

  fault(operation: StoreOperation): Error | undefined {
    if (this.diskFull && (operation === 'commit' || operation === 'epoch-tables')) {
      this.tally('disk-full');
      return new StoreFullError('simulated-disk');
    }
    const now = this.now();
    if (this.windows.length > 0) this.windows = this.windows.filter((window) => window.untilMs > now);
    for (const window of this.windows) {
      if (window.operations.includes(operation) && this.faults.chance(window.probability)) {
        this.tally(operation);
        return new SimulatedStoreFault(operation);
      }
    }
    return undefined;
  }

  private tally(what: StoreOperation | 'disk-full'): void {
    this.injected.set(what, (this.injected.get(what) ?? 0) + 1);
  }
}
