import type { ExecutionOutcome } from '../outcomes';
import type { CertifiedTransaction } from '../validator/certificates/certified-transaction';
import { InvalidCertificateError, OverloadedError, PipelineStoppedError } from '../validator/errors';
import type { EnqueueResult } from '../validator/manager/transaction-manager';
import type { SimulatedStep } from './simulated-workload';
import { SimulatedStoreFault } from './errors';
import { type SimulatedNode, UnreachableError, describe } from './simulated-node';
import type { SimulationRandom } from './simulation-random';
import { short } from './simulation-trace';
import type { SimulationWorld } from './simulation-world';
import { StoreFullError } from '../validator/storage/store-errors';

/**
 * The clients of owned transactions. Each certificate arrives at its time
 * (a share of them late, after their successors; some batched with the
 * next ones; some sent twice), and whatever the validator does not take
 * (refused when overloaded or stopped, handed back, unanswered because the
 * process died, or failed) is sent again alone after a random delay, until
 * it executes. A certificate the validator acknowledged (`pending` or
 * `ready`) is never sent again because of a crash: the durable pipeline
 * must keep it, and the run's end checks that it did.
 */
export class SimulatedClient {
  /** Acknowledged by a submit and not handed back since: the disk must hold them until they execute. */
  readonly acknowledged = new Set<string>();
  private readonly random: SimulationRandom;
  /** Retries so far per certificate, for the backoff. */
  private readonly retries = new Map<string, number>();
  /** Hand-backs so far per certificate: one can come before the answer to the submit that was accepted (it was still being persisted). */
  private readonly handBacks = new Map<string, number>();
  private readonly owned: readonly SimulatedStep[];
  /** When the last certificate first arrives. */
  readonly lastArrivalMs: number;

  constructor(
    private readonly world: SimulationWorld,
    private readonly node: SimulatedNode,
  ) {
    this.random = world.random('client');
    this.owned = world.workload.steps.filter((step) => !step.shared);
    const { traffic, workload } = world.scenario;
    const root = world.clock.root;
    let at = 0;
    let latest = 0;
    for (let i = 0; i < this.owned.length; i++) {
      at += this.random.duration({ meanMs: traffic.meanGapMs, spikeChance: 0, spikeFactor: 1 });
      const batch = [this.owned[i] as SimulatedStep];
      while (i + 1 < this.owned.length && this.random.chance(traffic.batchChance)) batch.push(this.owned[++i] as SimulatedStep);
      const arrives = at + (this.random.chance(traffic.lateChance) ? this.random.between(0, traffic.lateMs) : 0);
      latest = Math.max(latest, arrives);
      root.after(arrives, () => {
        this.send(batch.map((step) => step.certificate));
      });
      for (const step of batch) {
        if (!this.random.chance(workload.duplicateShare)) continue;
        const again = arrives + this.random.between(0, traffic.lateMs);
        latest = Math.max(latest, again);
        root.after(again, () => {
          this.world.count('duplicates sent');
          this.send([step.certificate]);
        });
      }
    }
    this.lastArrivalMs = latest;
    node.listen({
      handedBack: (certificate) => {
        this.handBacks.set(certificate.digest, (this.handBacks.get(certificate.digest) ?? 0) + 1);
        this.acknowledged.delete(certificate.digest);
        this.later(certificate);
      },
      outcome: (outcome) => {
        this.failed(outcome);
      },
    });
  }

  private send(certificates: readonly CertifiedTransaction[]): void {
    const { trace } = this.world;
    const names = certificates.map((c) => short(c.digest)).join(' ');
    const handBacksBefore = certificates.map((c) => this.handBacks.get(c.digest) ?? 0);
    this.node
      .call((pipeline) => pipeline.submit(certificates))
      .then(
        (results) => {
          trace.record(`submit ${names}: ${results.join(' ')}`);
          results.forEach((result, i) => {
            const certificate = certificates[i] as CertifiedTransaction;
            // Handed back since this call was made: the hand-back is the later word, and it is sent again from there.
            const since = (this.handBacks.get(certificate.digest) ?? 0) > (handBacksBefore[i] ?? 0);
            this.answered(certificate, since && (result === 'pending' || result === 'ready') ? 'handed-back' : result);
          });
        },
        (error: unknown) => {
          trace.record(`submit ${names}: refused (${describe(error)})`);
          this.refused(certificates, error);
        },
      );
  }

  private answered(certificate: CertifiedTransaction, result: EnqueueResult): void {
    this.world.count(`submits answered ${result}`);
    switch (result) {
      case 'pending':
      case 'ready':
        this.acknowledged.add(certificate.digest);
        return;
      case 'wrong-epoch':
        // Of an epoch the validator has not reached yet: try again later.
        this.world.count('wrong-epoch refusals');
        this.later(certificate);
        return;
      case 'handed-back': // announced on handedBack$ too, and sent again from there
      case 'already-pending':
      case 'already-executing':
      case 'already-executed':
        return;
    }
  }

  private refused(certificates: readonly CertifiedTransaction[], error: unknown): void {
    if (error instanceof OverloadedError) this.world.count(`refusals ${error.limit}`);
    else if (error instanceof SimulatedStoreFault || error instanceof StoreFullError) {
      this.world.count('submits failed by the store');
      // A failed durable write stops the pipeline from taking work: an operator restarts it.
      if (!(error instanceof SimulatedStoreFault) || error.operation === 'epoch-tables') this.node.restartSoon('operator restart after a failed write');
    } else if (error instanceof InvalidCertificateError) {
      this.world.fail('unexplained-failure', `a workload certificate was refused at the door: ${describe(error)}`);
      return;
    } else if (!(error instanceof PipelineStoppedError || error instanceof UnreachableError)) {
      this.world.fail('unexpected-error', `submit rejected with ${describe(error)}`);
      return;
    }
    for (const certificate of certificates) this.later(certificate);
  }

  /** An owned certificate that failed (not aborted: a restart recovers those) is sent again. */
  private failed(outcome: ExecutionOutcome): void {
    if (outcome.kind !== 'failed' || outcome.reason === 'aborted') return;
    const step = this.world.workload.stepOf.get(outcome.digest);
    if (step && !step.shared) this.later(step.certificate);
  }

  /** Send `certificate` again, alone, after a random delay that doubles with each retry (up to 16 times the first), unless it has executed by then. */
  private later(certificate: CertifiedTransaction): void {
    const retries = (this.retries.get(certificate.digest) ?? 0) + 1;
    this.retries.set(certificate.digest, retries);
    const backoff = 2 ** Math.min(4, retries - 1);
    const delay = this.random.duration({ meanMs: this.world.scenario.traffic.retryMeanMs * backoff, spikeChance: 0, spikeFactor: 1 });
    this.world.clock.root.after(delay, () => {
      if (this.world.disk.readExecuted(certificate.digest)) return;
      this.world.count('client retries');
      this.send([certificate]);
    });
  }
}
