import type { SimulationInvariant } from './errors';
import type { SimulationScenario } from './scenario';
import type { SimulatedDisk } from './simulated-disk';
import type { SimulatedWorkload } from './simulated-workload';
import type { SimulationClock } from './simulation-clock';
import type { SimulationRandom } from './simulation-random';
import type { SimulationTrace } from './simulation-trace';

/** What every part of a simulated run shares. */
export interface SimulationWorld {
  readonly clock: SimulationClock;
  readonly trace: SimulationTrace;
  readonly disk: SimulatedDisk;
  readonly scenario: SimulationScenario;
  readonly workload: SimulatedWorkload;
  /** Record a broken invariant (the first one counts): the run stops once the current event's microtasks have run. */
  fail(invariant: SimulationInvariant, detail: string): void;
  /** The named random stream of this run. */
  random(stream: string): SimulationRandom;
  /** Counts of what happened, by name, for coverage. */
  count(what: string, by?: number): void;
}
