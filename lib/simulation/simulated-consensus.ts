import type { ExecutionOutcome } from '../outcomes';
import type { CertifiedTransaction } from '../validator/certificates/certified-transaction';
import { CommitOrderError, InvalidCertificateError, PipelineStoppedError } from '../validator/errors';
import type { RecoveryReport } from '../validator/pipeline/durable-state';
import type { SimulatedStep } from './simulated-workload';
import { type SimulatedNode, UnreachableError, describe, isStoreFailure } from './simulated-node';
import type { SimulationRandom } from './simulation-random';
import { short } from './simulation-trace';
import type { SimulationWorld } from './simulation-world';

/** A commit consensus formed: immutable once formed, as consensus output is. */
interface FormedCommit {
  readonly epoch: number;
  readonly digest: string;
  readonly index: number;
  readonly certificates: readonly CertifiedTransaction[];
}

/**
 * Consensus, as the validator sees it: every `commitIntervalMs` it forms a
 * commit of the shared-object certificates that have arrived, in their
 * sequential order (so shared objects take versions in the order the
 * workload's final state assumes), and delivers the commits in index order.
 * A commit is formed once and never changes. After a restart, delivery
 * resumes after the last commit the disk says was processed (and the last
 * one is sometimes delivered again, a redelivery the pipeline must
 * recognise). A shared certificate whose execution failed is ordered again
 * in a later commit. Commits of epoch e+1 are formed only once the validator
 * has reached it.
 */
export class SimulatedConsensus {
  private readonly shared: readonly { readonly step: SimulatedStep; readonly arrivesMs: number }[];
  private nextShared = 0;
  private readonly again: CertifiedTransaction[] = [];
  private readonly formed: FormedCommit[] = [];
  private nextToSend = 0;
  /** Highest commit index the validator acknowledged (resolved), -1 for none. */
  acknowledgedUpTo = -1;
  /** Certificates of acknowledged commits: the disk must hold them until they execute. */
  readonly acknowledged = new Set<string>();
  /** The epoch commits are formed in: the validator's, once it has reconfigured. */
  epoch = 0;
  private readonly random: SimulationRandom;

  constructor(
    private readonly world: SimulationWorld,
    private readonly node: SimulatedNode,
  ) {
    this.random = world.random('consensus');
    const { traffic } = world.scenario;
    let at = 0;
    this.shared = world.workload.steps
      .filter((step) => step.shared)
      .map((step) => {
        at += this.random.duration({ meanMs: traffic.meanGapMs * 2, spikeChance: 0, spikeFactor: 1 });
        return { step, arrivesMs: at };
      });
    node.listen({
      up: (recovered) => {
        this.resume(recovered);
      },
      outcome: (outcome) => {
        this.failed(outcome);
      },
    });
    this.tick();
  }

  /** When the last shared certificate arrives. */
  get lastArrivalMs(): number {
    return this.shared[this.shared.length - 1]?.arrivesMs ?? 0;
  }

  /** Every commit of epochs before `epoch` formed and acknowledged, and nothing left to order again in them. */
  settledBefore(epoch: number): boolean {
    const unsettled = this.formed.some((commit) => commit.epoch < epoch && commit.index > this.acknowledgedUpTo);
    return !unsettled && this.again.every((certificate) => certificate.epoch >= epoch);
  }

  /** The validator reached `epoch`: form its commits from now on. */
  enterEpoch(epoch: number): void {
    if (epoch > this.epoch) this.epoch = epoch;
    this.deliver();
  }

  private tick(): void {
    this.form();
    this.deliver();
    this.world.clock.root.after(this.world.scenario.traffic.commitIntervalMs, () => {
      this.tick();
    });
  }

  private form(): void {
    const now = this.world.clock.now();
    const certificates: CertifiedTransaction[] = [];
    const executed = (c: CertifiedTransaction) => this.world.disk.readExecuted(c.digest) !== undefined;
    // Failed ones first: they keep the versions first assigned, so their place in the order is unchanged.
    while (this.again.length > 0 && certificates.length < this.world.scenario.traffic.maxCommitSize) {
      const certificate = this.again.shift() as CertifiedTransaction;
      if (!executed(certificate) && !certificates.includes(certificate)) certificates.push(certificate);
    }
    while (certificates.length < this.world.scenario.traffic.maxCommitSize) {
      const next = this.shared[this.nextShared];
      if (!next || next.arrivesMs > now || next.step.epoch !== this.epoch) break;
      certificates.push(next.step.certificate);
      this.nextShared++;
    }
    if (certificates.length === 0) return;
    const index = this.formed.length;
    this.formed.push({ epoch: this.epoch, digest: `commit-${index}`, index, certificates });
  }

  /** Send every formed commit not sent yet, in index order, while the validator is in its epoch. */
  private deliver(): void {
    const epoch = this.node.epoch;
    while (epoch !== undefined && this.nextToSend < this.formed.length) {
      const commit = this.formed[this.nextToSend] as FormedCommit;
      if (commit.epoch !== epoch) return;
      this.nextToSend++;
      this.send(commit);
    }
  }

  private send(commit: FormedCommit): void {
    const { trace } = this.world;
    const names = commit.certificates.map((c) => short(c.digest)).join(' ');
    this.node
      .call((pipeline) => pipeline.commit({ digest: commit.digest, index: commit.index, certificates: commit.certificates }))
      .then(
        (results) => {
          trace.record(`commit ${commit.index} [${names}]: ${results.join(' ')}`);
          this.world.count('commits delivered');
          if (commit.index > this.acknowledgedUpTo) this.acknowledgedUpTo = commit.index;
          results.forEach((result, i) => {
            const certificate = commit.certificates[i] as CertifiedTransaction;
            if (result === 'wrong-epoch' || result === 'handed-back') {
              this.world.fail('unexplained-failure', `commit ${commit.index} answered ${result} for ${short(certificate.digest)}, of epoch ${certificate.epoch}`);
            }
            if (result !== 'already-executed') this.acknowledged.add(certificate.digest);
          });
        },
        (error: unknown) => {
          trace.record(`commit ${commit.index} [${names}]: refused (${describe(error)})`);
          if (error instanceof CommitOrderError || error instanceof InvalidCertificateError) {
            this.world.fail('unexplained-failure', `commit ${commit.index} refused: ${describe(error)}`);
          } else if (isStoreFailure(error)) {
            // A commit that fails stops the durable pipeline from taking work: an operator restarts it.
            this.world.count('commits failed by the store');
            this.node.restartSoon('operator restart after a failed commit');
          } else if (!(error instanceof PipelineStoppedError || error instanceof UnreachableError)) {
            this.world.fail('unexpected-error', `commit ${commit.index} rejected with ${describe(error)}`);
          }
        },
      );
  }

  /** A started validator: resume after the last commit its disk processed (sometimes delivering that one again). */
  private resume(recovered: RecoveryReport | undefined): void {
    const last = recovered?.lastCommitIndex ?? -1;
    if (last < this.acknowledgedUpTo) {
      this.world.fail('nothing-lost', `commit ${this.acknowledgedUpTo} was acknowledged, but the disk's last processed commit is ${last < 0 ? 'none' : last}`);
    }
    // Processed on disk counts as acknowledged: its answer was lost, not its effect.
    if (last > this.acknowledgedUpTo) {
      for (const commit of this.formed.slice(this.acknowledgedUpTo + 1, last + 1)) for (const c of commit.certificates) this.acknowledged.add(c.digest);
      this.acknowledgedUpTo = last;
    }
    this.nextToSend = last + 1;
    const previous = this.formed[last];
    if (previous && this.random.chance(this.world.scenario.traffic.redeliverChance)) {
      this.world.count('redeliveries');
      this.send(previous);
    }
    this.deliver();
  }

  private failed(outcome: ExecutionOutcome): void {
    if (outcome.kind !== 'failed' || outcome.reason === 'aborted') return;
    const step = this.world.workload.stepOf.get(outcome.digest);
    if (step?.shared === true && !this.again.includes(step.certificate)) this.again.push(step.certificate);
  }
}
