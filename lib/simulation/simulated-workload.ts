import type { CertifiedTransaction } from '../validator/certificates/certified-transaction';
import type { Committee } from '../validator/certificates/committee';
import type { StoredObject } from '../validator/model/objects';
import { WorkloadGenerator } from '../validator/workload/workload';
import type { SimulationScenario } from './scenario';

/** One transaction of a simulated run, in commit (sequential) order. */
export interface SimulatedStep {
  readonly index: number;
  readonly certificate: CertifiedTransaction;
  /** Ordered by consensus (it has a shared input), else submitted by its client. */
  readonly shared: boolean;
  readonly epoch: number;
}

/** The run's transactions, the committee of each epoch, and the state sequential execution ends in. */
export interface SimulatedWorkload {
  readonly steps: readonly SimulatedStep[];
  readonly committees: readonly Committee[];
  readonly genesis: readonly StoredObject[];
  readonly expectedFinalObjects: readonly StoredObject[];
  readonly stepOf: ReadonlyMap<string, SimulatedStep>;
}

/**
 * The scenario's workload (see `WorkloadGenerator`), split into its epochs:
 * the steps of epoch e are certified in epoch e, and the generator's shadow
 * state gives the final objects of executing them all in order. Unsigned:
 * the simulated pipeline checks each certificate's canonical bytes and
 * digest, not its signatures (see `simulate`).
 */
export function simulatedWorkload(scenario: SimulationScenario): SimulatedWorkload {
  const { workload, seed } = scenario;
  const generator = new WorkloadGenerator({
    seed,
    accounts: workload.accounts,
    contention: workload.contention,
    hotCounters: workload.hotCounters,
    invalidShare: workload.invalidShare,
    cancelledShare: workload.cancelledShare,
    conflictShare: workload.conflictShare,
    // Unsigned, so one member is enough: a committee's keys cost more to make than a whole run.
    stakes: [1],
    sign: false,
    ...(workload.mergeReceivedCoins === undefined ? {} : { mergeReceivedCoins: workload.mergeReceivedCoins }),
  });
  const steps: SimulatedStep[] = [];
  const committees: Committee[] = [generator.committee];
  for (let epoch = 0; epoch < workload.epochs; epoch++) {
    if (epoch > 0) {
      generator.advanceEpoch(epoch);
      committees.push(generator.committee);
    }
    const end = Math.floor((workload.transactions * (epoch + 1)) / workload.epochs);
    for (const step of generator.next(end - steps.length)) steps.push({ index: steps.length, certificate: step.certificate, shared: step.shared, epoch });
  }
  return {
    steps,
    committees,
    genesis: generator.genesis,
    expectedFinalObjects: generator.expectedFinalObjects(),
    stepOf: new Map(steps.map((step) => [step.certificate.digest, step])),
  };
}
