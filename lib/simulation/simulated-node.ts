import winston from 'winston';
import type { EpochStore } from '../authority-state';
import type { Certificate } from '../certificate';
import type { StopMode } from '../execute-certificates';
import type { ExecutionOutcome } from '../outcomes';
import type { CertifiedTransaction } from '../validator/certificates/certified-transaction';
import type { Committee } from '../validator/certificates/committee';
import { isCancelled } from '../validator/execution/cancelled-execution';
import { ReferenceAuthorityState } from '../validator/execution/reference-authority-state';
import type { StateEffects } from '../validator/model/effects';
import type { ReferenceEpochStore } from '../validator/execution/reference-epoch-store';
import type { RecoveryReport } from '../validator/pipeline/durable-state';
import { type PipelineAuthorityState, type ValidatorPipeline, startValidatorPipeline } from '../validator/pipeline/validator-pipeline';
import type { ObjectStore } from '../validator/storage/object-store';
import { StoreFullError } from '../validator/storage/store-errors';
import { EpochEndedError } from '../validator/errors';
import { ConcurrencyCheck } from './concurrency-check';
import { SimulatedStoreFault } from './errors';
import { InstrumentedState } from './instrumented-state';
import { OutcomeLedger } from './outcome-ledger';
import { SimulatedStore } from './simulated-store';
import type { TimeScope } from './simulation-clock';
import type { SimulationRandom } from './simulation-random';
import { short } from './simulation-trace';
import type { SimulationWorld } from './simulation-world';
import type { SimulatedStoreConditions } from './store-conditions';

/** What a plugged-in state is built from: the process's store and starting committee, and its clock. */
export interface SimulatedStateContext {
  readonly store: ObjectStore;
  readonly committee: Committee;
  /** The process's virtual clock: an RxJS scheduler, with `sleep(ms)`. Use it, never real timers. */
  readonly clock: TimeScope;
  /** A seeded random stream of this run, for the state's own choices. */
  readonly random: SimulationRandom;
  /** Which start of the process this is: 1 for the first, then one more after each crash or stop. */
  readonly incarnation: number;
}

/** Builds the `AuthorityState` a simulated process runs on. */
export type SimulatedStateFactory = (context: SimulatedStateContext) => PipelineAuthorityState;

/** What other parts of the run hear from the process. */
export interface NodeListener {
  up?(recovered: RecoveryReport | undefined): void;
  outcome?(outcome: ExecutionOutcome): void;
  handedBack?(certificate: CertifiedTransaction): void;
  down?(): void;
}

/** One start of the validator process, and how it ended. */
export interface ProcessLifetime {
  readonly incarnation: number;
  readonly startedMs: number;
  /** When it was up (recovered, taking work); undefined if it never came up. */
  upMs: number | undefined;
  endedMs: number | undefined;
  /** `crash`, `stop` (graceful, then a restart), `start-failed`, `final` (the run's last stop), or undefined while running. */
  end: 'crash' | 'stop' | 'start-failed' | 'final' | undefined;
}

/** A call to a process that is not running, or that died before it answered. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}

const silentLogger = winston.createLogger({ silent: true });

/**
 * The validator process, started, crashed, stopped and restarted over one
 * simulated disk. Each start is a new incarnation with its own scope of
 * virtual time (killed at a crash), its own store handle, and the real
 * `startValidatorPipeline` in durable mode, recovering what the disk holds.
 * Calls into it (`call`) reject with `UnreachableError` when it is not
 * running, or when it dies before answering.
 */
export class SimulatedNode {
  incarnation = 0;
  phase: 'down' | 'starting' | 'up' | 'stopping' = 'down';
  pipeline: ValidatorPipeline<InstrumentedState> | undefined;
  /** The concurrency limit the driver runs with (and the next one starts with). */
  limit: number;
  /** Set once the final stop has completed. */
  finished = false;
  /** Every start of the process, in order. */
  readonly lifetimes: ProcessLifetime[] = [];
  private scope: TimeScope | undefined;
  private ledger = new OutcomeLedger();
  private concurrency: ConcurrencyCheck;
  private readonly calls = new Set<(error: Error) => void>();
  private restartPending = false;
  private readonly listeners: NodeListener[] = [];
  private readonly executionTimes: SimulationRandom;
  private readonly stateRandom: SimulationRandom;

  constructor(
    private readonly world: SimulationWorld,
    private readonly conditions: SimulatedStoreConditions,
    private readonly createState: SimulatedStateFactory | undefined,
    /** A problem, if something acknowledged is not on disk (checked at every crash and stop). */
    private readonly durability: () => string | undefined,
  ) {
    this.limit = world.scenario.pipeline.maxConcurrentExecutions;
    this.concurrency = new ConcurrencyCheck(this.limit);
    this.executionTimes = world.random('execution');
    this.stateRandom = world.random('state');
  }

  listen(listener: NodeListener): void {
    this.listeners.push(listener);
  }

  /** The epoch the running process is in, if it runs. */
  get epoch(): number | undefined {
    return this.phase === 'up' ? this.pipeline?.state.loadEpochStoreOneCallPerTask().epoch : undefined;
  }

  /** Compare releases and outcomes once an event's microtasks have run. */
  afterEvent(): void {
    const problem = this.ledger.check();
    if (problem) this.world.fail('exactly-one-outcome', problem);
  }

  start(): void {
    if (this.phase !== 'down' || this.finished) return;
    this.incarnation++;
    this.phase = 'starting';
    this.restartPending = false;
    const scope = this.world.clock.root.child();
    this.scope = scope;
    this.ledger = new OutcomeLedger();
    this.concurrency = new ConcurrencyCheck(this.limit);
    const { scenario, workload, trace } = this.world;
    const store = new SimulatedStore(this.world.disk, scope, this.conditions);
    trace.record(`#${this.incarnation} start (limit ${this.limit})`);
    const lifetime: ProcessLifetime = { incarnation: this.incarnation, startedMs: this.world.clock.now(), upMs: undefined, endedMs: undefined, end: undefined };
    this.lifetimes.push(lifetime);
    this.world.count('starts');
    startValidatorPipeline<InstrumentedState>({
      committee: workload.committees[0] as Committee,
      genesis: workload.genesis,
      database: store,
      createState: (stateStore, committee) => new InstrumentedState(this.baseState(stateStore, committee, scope), scope, this.watch(scope)),
      scheduler: scope,
      logger: silentLogger,
      verifySignatures: false,
      limits: scenario.pipeline.limits,
      maxConcurrentExecutions: this.limit,
      retry: { maxAttempts: scenario.pipeline.retry.maxAttempts, initialDelayMs: scenario.pipeline.retry.initialDelayMs },
      onWired: (pipeline) => {
        this.listenTo(pipeline, scope);
      },
    }).then(
      (pipeline) => {
        if (scope !== this.scope || !scope.alive) return;
        this.up(pipeline);
      },
      (error: unknown) => {
        if (scope !== this.scope || !scope.alive) return;
        trace.record(`#${this.incarnation} start failed: ${describe(error)}`);
        if (!isStoreFailure(error)) this.world.fail('unexpected-error', `the pipeline failed to start: ${describe(error)}`);
        this.ended('start-failed');
        scope.kill();
        this.phase = 'down';
        this.pipeline = undefined;
        this.world.clock.root.after(5, () => {
          this.start();
        });
      },
    );
  }

  /** Kill the process at once; start again after `restartAfterMs`. */
  crash(restartAfterMs: number, why: string): void {
    if (this.phase === 'down') return;
    this.world.trace.record(`#${this.incarnation} crash (${why})`);
    this.world.count('crashes');
    this.checkDurability();
    this.ended('crash');
    this.goDown();
    this.world.clock.root.after(restartAfterMs, () => {
      this.start();
    });
  }

  /** A graceful stop (`pipeline.stop`), then a start after `restartAfterMs` (none when `final`). */
  stop(mode: StopMode, restartAfterMs: number, final = false): void {
    const pipeline = this.pipeline;
    const scope = this.scope;
    if (this.phase !== 'up' || !pipeline || !scope) return;
    this.phase = 'stopping';
    this.world.trace.record(`#${this.incarnation} stop (${mode})`);
    this.world.count('stops');
    pipeline.stop({ mode }).then(
      (summary) => {
        if (scope !== this.scope || !scope.alive) return;
        this.world.trace.record(`#${this.incarnation} stopped: ${summary.executed} executed, ${summary.unstarted.length} unstarted, ${summary.heldByManager.length} held`);
        const problem = this.ledger.stopped(summary.unstarted);
        if (problem) this.world.fail('exactly-one-outcome', problem);
        this.checkDurability();
        this.ended(final ? 'final' : 'stop');
        this.goDown();
        if (final) this.finished = true;
        else {
          this.world.clock.root.after(restartAfterMs, () => {
            this.start();
          });
        }
      },
      (error: unknown) => {
        this.world.fail('unexpected-error', `pipeline.stop rejected: ${describe(error)}`);
      },
    );
  }

  /** An operator restarts the process soon (after a store failure stopped it from taking work), once. */
  restartSoon(why: string): void {
    if (this.restartPending || this.phase === 'down') return;
    this.restartPending = true;
    this.world.clock.root.after(2, () => {
      this.restartPending = false;
      this.crash(1, why);
    });
  }

  /** Change the live concurrency limit (the check learns it first: a raised limit starts work at once). */
  setLimit(limit: number): void {
    this.limit = limit;
    this.concurrency.setLimit(limit);
    if (this.phase !== 'down') this.pipeline?.driver.setMaxConcurrentExecutions(limit);
    this.world.trace.record(`#${this.incarnation} concurrency limit ${limit}`);
  }

  pause(forMs: number): void {
    const pipeline = this.pipeline;
    if (this.phase !== 'up' || !pipeline) return;
    this.concurrency.setPaused(true);
    pipeline.driver.pause();
    this.world.trace.record(`#${this.incarnation} pause for ${forMs.toFixed(3)} ms`);
    const incarnation = this.incarnation;
    this.scope?.after(forMs, () => {
      if (this.incarnation !== incarnation || this.phase === 'down') return;
      this.concurrency.setPaused(false);
      pipeline.driver.resume();
      this.world.trace.record(`#${incarnation} resume`);
    });
  }

  /** Call the running pipeline; rejects with `UnreachableError` if it is not running or dies first. */
  call<T>(run: (pipeline: ValidatorPipeline<InstrumentedState>) => Promise<T>): Promise<T> {
    const pipeline = this.pipeline;
    if (!pipeline || (this.phase !== 'up' && this.phase !== 'stopping')) return Promise.reject(new UnreachableError('the validator is not running'));
    const incarnation = this.incarnation;
    return new Promise<T>((resolve, reject) => {
      this.calls.add(reject);
      run(pipeline).then(
        (value) => {
          this.calls.delete(reject);
          if (this.incarnation === incarnation) resolve(value);
        },
        (error: unknown) => {
          this.calls.delete(reject);
          if (this.incarnation === incarnation) reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  private up(pipeline: ValidatorPipeline<InstrumentedState>): void {
    this.pipeline = pipeline;
    this.phase = 'up';
    const lifetime = this.lifetimes[this.lifetimes.length - 1];
    if (lifetime) lifetime.upMs = this.world.clock.now();
    const recovered = pipeline.recovered;
    this.world.trace.record(
      `#${this.incarnation} up in epoch ${recovered?.epoch ?? '?'}: ${recovered?.reenqueued ?? 0} re-enqueued, ${recovered?.alreadyExecuted ?? 0} already executed, last commit ${recovered?.lastCommitIndex ?? '-'}`,
    );
    if ((recovered?.reenqueued ?? 0) > 0) this.world.count('recovered certificates', recovered?.reenqueued);
    if ((recovered?.handedBack.length ?? 0) > 0) this.world.count('handed back at a restart (an earlier epoch)', recovered?.handedBack.length);
    for (const listener of this.listeners) listener.up?.(recovered);
  }

  /** Subscribed before the pipeline recovers, so the releases and outcomes of recovered work are seen too. */
  private listenTo(pipeline: ValidatorPipeline<InstrumentedState>, scope: TimeScope): void {
    if (scope !== this.scope || !scope.alive) return;
    // The limit may have changed while the process was starting; from now on `setLimit` reaches this driver.
    if (pipeline.driver.maxConcurrentExecutions !== this.limit) pipeline.driver.setMaxConcurrentExecutions(this.limit);
    this.pipeline = pipeline;
    const incarnation = this.incarnation;
    const live = () => scope.alive && this.incarnation === incarnation;
    const { trace } = this.world;
    let cancelledAtSequencing = 0; // the manager's count, as last seen
    pipeline.manager.ready$.subscribe(({ certificate }) => {
      if (!live()) return;
      this.ledger.released(certificate.digest);
    });
    pipeline.outcomes$.subscribe((outcome) => {
      if (!live()) return;
      this.ledger.outcome(outcome.digest);
      this.concurrency.ended(outcome.digest);
      trace.record(`#${incarnation} ${describeOutcome(outcome)}`);
      const unexplained = this.unexplained(outcome);
      if (unexplained) this.world.fail('unexplained-failure', unexplained);
      this.world.count(`outcome ${outcome.kind}${outcome.kind === 'failed' || outcome.kind === 'skipped' ? ` ${outcome.reason}` : ''}`);
      if (outcome.kind === 'executed' && isCancelled(outcome.effects as StateEffects)) this.world.count('executed as cancelled');
      const decided = pipeline.manager.cancelledAtSequencing;
      if (decided > cancelledAtSequencing) this.world.count('cancelled at sequencing (owned version claimed)', decided - cancelledAtSequencing);
      cancelledAtSequencing = decided;
      for (const listener of this.listeners) listener.outcome?.(outcome);
    });
    pipeline.handedBack$.subscribe(({ certificate, error }) => {
      if (!live()) return;
      trace.record(`#${incarnation} handed back ${short(certificate.digest)} (${error.limit})`);
      this.world.count('hand-backs');
      for (const listener of this.listeners) listener.handedBack?.(certificate);
    });
  }

  private ended(end: NonNullable<ProcessLifetime['end']>): void {
    const lifetime = this.lifetimes[this.lifetimes.length - 1];
    if (lifetime && lifetime.end === undefined) {
      lifetime.end = end;
      lifetime.endedMs = this.world.clock.now();
    }
  }

  private goDown(): void {
    this.scope?.kill();
    this.pipeline = undefined;
    this.phase = 'down';
    const calls = [...this.calls];
    this.calls.clear();
    for (const reject of calls) reject(new UnreachableError('the validator went down before it answered'));
    for (const listener of this.listeners) listener.down?.();
  }

  private checkDurability(): void {
    const problem = this.durability();
    if (problem) this.world.fail('nothing-lost', problem);
  }

  private baseState(store: ObjectStore, committee: Committee, scope: TimeScope): PipelineAuthorityState {
    if (!this.createState) return new ReferenceAuthorityState(store, committee);
    return this.createState({ store, committee, clock: scope, random: this.stateRandom, incarnation: this.incarnation });
  }

  /** The checks made at the moment the driver calls into the state. */
  private watch(scope: TimeScope): ConstructorParameters<typeof InstrumentedState>[2] {
    return {
      called: (digest) => {
        if (!scope.alive) return;
        const over = this.concurrency.called(digest);
        if (over) {
          const driver = this.pipeline?.driver;
          this.world.fail('concurrency-limit', `${over}, starting ${short(digest)}${driver ? ` (the driver counts ${driver.inFlight} of ${driver.maxConcurrentExecutions})` : ''}`);
        }
      },
      started: (certificate, epochStore) => {
        if (!scope.alive) return;
        const missing = this.missingInput(certificate, epochStore);
        if (missing) this.world.fail('inputs-exist', `execution of ${short(certificate.digest)} started before ${missing} was committed`);
      },
      duration: () => this.executionTimes.duration(this.world.scenario.execution),
    };
  }

  /**
   * A failure or fork that no injected fault explains, described: only a
   * store fault (possibly after retries), a full disk, an abort by a stop, or
   * the end of an epoch for a copy of an executed certificate may fail one.
   */
  private unexplained(outcome: ExecutionOutcome): string | undefined {
    if (outcome.kind === 'fatal') return `certificate ${short(outcome.digest)} forked: ${describe(outcome.error)}`;
    if (outcome.kind !== 'failed' || outcome.reason === 'aborted') return undefined;
    const causes: unknown[] = [outcome.error];
    const { cause, executionError } = (outcome.error ?? {}) as { cause?: unknown; executionError?: unknown };
    causes.push(cause, executionError);
    if (causes.some(isStoreFailure)) return undefined;
    if (outcome.error instanceof EpochEndedError && this.world.disk.readExecuted(outcome.digest)) return undefined;
    return `certificate ${short(outcome.digest)} failed (${outcome.reason}) with no fault to explain it: ${describe(outcome.error)}`;
  }

  /** The first input version of `certificate` not on disk, described, or undefined. */
  private missingInput(certificate: Certificate, epochStore: EpochStore): string | undefined {
    const { disk } = this.world;
    if (disk.readExecuted(certificate.digest)) return undefined; // a copy of an executed one: the state answers with its effects
    const data = (certificate as Partial<CertifiedTransaction>).data;
    if (!data) return 'its transaction data';
    // Decided cancelled (an owned version it names is claimed by another, or spent): it reads its shared inputs only.
    const cancelled = (epochStore as Partial<ReferenceEpochStore>).isDecidedCancelled?.(certificate.digest) === true;
    for (const input of data.inputs) {
      if (input.kind !== 'shared') {
        if (cancelled) continue;
        if (!disk.hasObject(input.ref.id, input.ref.version)) return `input ${short(input.ref.id)} version ${input.ref.version}`;
        continue;
      }
      const version = (epochStore as Partial<ReferenceEpochStore>).sharedVersion?.(certificate.digest, input.id);
      if (version === undefined) return `a version of shared input ${short(input.id)} (none assigned)`;
      if (!disk.hasObject(input.id, version)) return `shared input ${short(input.id)} version ${version}`;
    }
    const gas = data.gas.payment;
    if (!cancelled && !disk.hasObject(gas.id, gas.version)) return `gas coin ${short(gas.id)} version ${gas.version}`;
    return undefined;
  }
}

/** A write that failed in the store: the pipeline stops taking work until restarted. */
export function isStoreFailure(error: unknown): boolean {
  return error instanceof SimulatedStoreFault || error instanceof StoreFullError;
}

export function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function describeOutcome(outcome: ExecutionOutcome): string {
  const digest = short(outcome.digest);
  switch (outcome.kind) {
    case 'executed':
      return `executed ${digest} (${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'})`;
    case 'skipped':
      return `skipped ${digest} (${outcome.reason})`;
    case 'failed':
      return `failed ${digest} (${outcome.reason}: ${describe(outcome.error)})`;
    case 'fatal':
      return `fatal ${digest} (${describe(outcome.error)})`;
  }
}
