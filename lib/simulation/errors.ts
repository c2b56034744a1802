import { ExecutionDriverError, TransientExecutionError } from '../errors';

/** The simulated store operations, as faults and the trace name them. */
export type StoreOperation = 'readObjects' | 'readLatest' | 'readExecuted' | 'commit' | 'epoch-tables';

/**
 * A store operation failed because the simulation injected a transient
 * fault. Nothing of it was written. It is a `TransientExecutionError`, so the
 * driver retries an execution that meets it.
 */
export class SimulatedStoreFault extends TransientExecutionError {
  constructor(readonly operation: StoreOperation) {
    super(`simulated transient fault in ${operation}: nothing was written`);
  }
}

/**
 * Which invariant a simulated run broke:
 * - `exactly-one-outcome`: a certificate released to the driver got no outcome, or two, or one it was never released for;
 * - `inputs-exist`: an execution started before one of its input versions was committed;
 * - `final-state`: the final objects differ from sequential execution in commit order;
 * - `concurrency-limit`: more executions ran at once than the limit of the moment;
 * - `nothing-lost`: an acknowledged certificate or commit was not on disk at a crash or stop;
 * - `liveness`: some certificates never executed once the faults were over;
 * - `unexplained-failure`: a certificate failed without an injected fault to explain it, or a refusal made no sense;
 * - `unexpected-error`: something threw that nothing should (an event, an unhandled rejection).
 */
export type SimulationInvariant =
  | 'exactly-one-outcome'
  | 'inputs-exist'
  | 'final-state'
  | 'concurrency-limit'
  | 'nothing-lost'
  | 'liveness'
  | 'unexplained-failure'
  | 'unexpected-error';

/**
 * A simulated run broke an invariant. It carries everything needed to look
 * at it and replay it: the seed, the virtual time, the trace up to the
 * violation, and the command that replays the same run.
 */
export class SimulationInvariantError extends ExecutionDriverError {
  constructor(
    readonly invariant: SimulationInvariant,
    readonly seed: number,
    /** Virtual time of the violation, in ms. */
    readonly virtualTimeMs: number,
    readonly detail: string,
    /** The trace up to the violation, one line per event. */
    readonly trace: readonly string[],
    /** The shell command that replays this run, e.g. `npm run simulate -- --seed 7`. */
    readonly replay: string,
  ) {
    super(`seed ${seed}, ${virtualTimeMs.toFixed(3)} ms: ${invariant}: ${detail}\nReplay: ${replay}`);
  }
}

/** `simulate` was called while another simulation runs in this process: they would share the virtual clock's globals. */
export class SimulationBusyError extends ExecutionDriverError {
  constructor() {
    super('a simulation is already running in this process: await it before starting another');
  }
}
