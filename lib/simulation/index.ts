/**
 * soma-execution-driver/simulation: the whole validator (TransactionManager,
 * ExecutionDriver, an AuthorityState and a durable store) in virtual time,
 * driven by one seed: latencies, traffic, consensus commits, epoch changes,
 * stops, crashes, restarts and store faults. Invariants are checked as a run
 * goes, a failing seed replays exactly, and its fault schedule shrinks to a
 * minimal failing run.
 * @packageDocumentation
 */
export { simulate } from './simulate';
export type { SimulateOptions, SimulationResult, SimulationTimeline } from './simulate';
export { formatFailure, shrinkFailure } from './shrink';
export type { ShrinkOptions, ShrunkFailure } from './shrink';
export { SimulatedStoreFault, SimulationBusyError, SimulationInvariantError } from './errors';
export type { SimulationInvariant, StoreOperation } from './errors';
export { scenarioFor } from './scenario';
export type { PlannedFault, ScenarioShape, SimulationScenario } from './scenario';
export { replayCommand } from './replay-command';
export type { ReplayOptions } from './replay-command';
export type { ProcessLifetime, SimulatedStateContext, SimulatedStateFactory } from './simulated-node';
export { SimulationClock, TimeScope } from './simulation-clock';
export type { RunEnd, RunOptions } from './simulation-clock';
export { SimulationRandom } from './simulation-random';
export type { DurationProfile } from './simulation-random';
export { SimulatedDisk } from './simulated-disk';
export { SimulatedStore } from './simulated-store';
export type { StoreConditions } from './simulated-store';
