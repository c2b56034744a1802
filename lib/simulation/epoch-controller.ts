import type { Committee } from '../validator/certificates/committee';
import { PipelineStoppedError } from '../validator/errors';
import type { SimulatedConsensus } from './simulated-consensus';
import { type SimulatedNode, UnreachableError, describe, isStoreFailure } from './simulated-node';
import { short } from './simulation-trace';
import type { SimulationWorld } from './simulation-world';

/**
 * Ends each epoch as a validator's does: once every certificate of the
 * epoch has executed and consensus has nothing of it left to deliver, the
 * pipeline reconfigures to the next committee. If a restart brings the
 * validator back in an earlier epoch (the record of the change had not
 * reached the disk), it reconfigures again.
 */
export class EpochController {
  private readonly stepsPerEpoch: number[];
  private readonly executedPerEpoch: number[];
  private reconfiguring = false;
  /** When each new epoch began (virtual ms), in order. */
  readonly changesAtMs: number[] = [];

  constructor(
    private readonly world: SimulationWorld,
    private readonly node: SimulatedNode,
    private readonly consensus: SimulatedConsensus,
  ) {
    const { epochs } = world.scenario.workload;
    this.stepsPerEpoch = Array.from({ length: epochs }, () => 0);
    this.executedPerEpoch = Array.from({ length: epochs }, () => 0);
    for (const step of world.workload.steps) this.stepsPerEpoch[step.epoch] = (this.stepsPerEpoch[step.epoch] ?? 0) + 1;
  }

  /** A workload certificate committed for the first time. */
  executed(epoch: number): void {
    this.executedPerEpoch[epoch] = (this.executedPerEpoch[epoch] ?? 0) + 1;
  }

  /** Reconfigure if the epoch is over (after each event). */
  check(): void {
    const epoch = this.node.epoch;
    if (this.reconfiguring || epoch === undefined) return;
    // Restarted in a later epoch than consensus knows: the change reached the disk, its answer did not.
    if (epoch > this.consensus.epoch) this.consensus.enterEpoch(epoch);
    if (epoch >= this.world.scenario.workload.epochs - 1) return;
    const over = epoch < this.consensus.epoch || (this.executedPerEpoch[epoch] === this.stepsPerEpoch[epoch] && this.consensus.settledBefore(epoch + 1));
    if (over) this.reconfigure(epoch + 1);
  }

  private reconfigure(next: number): void {
    this.reconfiguring = true;
    const { trace } = this.world;
    trace.record(`reconfigure to epoch ${next}`);
    this.node
      .call((pipeline) => pipeline.reconfigure(this.world.workload.committees[next] as Committee))
      .then(
        (stale) => {
          this.reconfiguring = false;
          trace.record(`epoch ${next} begins (${stale.length} handed back)`);
          this.world.count('epoch changes');
          this.changesAtMs.push(this.world.clock.now());
          // A copy of an executed certificate may still be on its way in (its store read not answered): handing it back loses nothing.
          const lost = stale.filter((certificate) => !this.world.disk.readExecuted(certificate.digest));
          if (lost.length > 0) this.world.fail('unexplained-failure', `${lost.length} certificates of the ended epoch were handed back without having executed (first ${short(lost[0]?.digest ?? '')})`);
          this.consensus.enterEpoch(next);
        },
        (error: unknown) => {
          this.reconfiguring = false;
          trace.record(`reconfigure to epoch ${next} failed (${describe(error)})`);
          if (isStoreFailure(error)) this.node.restartSoon('operator restart after a failed epoch record');
          else if (!(error instanceof UnreachableError || error instanceof PipelineStoppedError)) this.world.fail('unexpected-error', `reconfigure rejected with ${describe(error)}`);
        },
      );
  }
}
