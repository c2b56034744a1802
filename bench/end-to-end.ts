import winston from 'winston';
import { type CertifiedTransaction, type LmdbObjectStore, type PipelineVerificationOptions, type StateEffects, type Workload, startValidatorPipeline } from '../lib/validator';
import { gcPauses, gcSettled } from './gc-pauses';

const silent = winston.createLogger({ silent: true });

/** What one end-to-end run measured. */
export interface EndToEndFigures {
  readonly perSecond: number;
  readonly aborted: number;
  /** Share of the run's wall time spent in GC pauses. */
  readonly gcShare: number;
  /** Mean young-generation pause (ms). */
  readonly scavengeMs: number;
}

/** Options of {@link endToEndRun}. */
export interface EndToEndOptions {
  /** At most this many certificates submitted and not yet committed (Infinity: a burst of everything). */
  readonly outstanding: number;
  /** Run durable on this database (opened and closed by the caller), else in memory. */
  readonly database?: LmdbObjectStore;
  /** The driver's concurrency limit (default 64). */
  readonly concurrency?: number;
  /** Durable executions that may wait for the disk without a driver slot (default: the pipeline's, DURABLE_MAX_STAGED_EXECUTIONS). */
  readonly maxStagedExecutions?: number;
  /** Verify the certificates' signatures on the way in, on the verifier pool (default false: pre-verified). */
  readonly verifySignatures?: boolean;
  /** With `verifySignatures`: the pipeline's verification options (a shared, warm pool). */
  readonly verification?: PipelineVerificationOptions;
}

/**
 * The whole pipeline (reference state, TransactionManager, driver) on a
 * generated workload, pre-verified certificates (or verified, with
 * `verifySignatures`): owned
 * certificates in batches of 500, shared ones each in its own consensus
 * commit, in order. Timed from the first submit to the last commit.
 */
export async function endToEndRun(workload: Workload, { outstanding, database, concurrency = 64, verifySignatures = false, verification, maxStagedExecutions }: EndToEndOptions): Promise<EndToEndFigures> {
  const transactions = workload.steps.length;
  const pipeline = await startValidatorPipeline({
    committee: workload.committee,
    genesis: workload.genesis,
    verifySignatures,
    ...(verification ? { verification } : {}),
    maxConcurrentExecutions: concurrency,
    ...(maxStagedExecutions !== undefined ? { maxStagedExecutions } : {}),
    logger: silent,
    limits: { maxPendingAndExecuting: 1_000_000, maxPerObjectQueue: 1_000_000, maxQueueAgeMs: 1e9 },
    ...(database ? { database } : {}),
  });
  let done = 0;
  let sent = 0;
  let aborted = 0;
  let belowLimit: (() => void) | undefined;
  // Done when the driver reports it executed: for a durable store, once on disk (its outputs are announced earlier).
  const all = new Promise<void>((resolve) => {
    pipeline.outcomes$.subscribe((outcome) => {
      if (outcome.kind !== 'executed') return;
      if ((outcome.effects as StateEffects).status.kind === 'failure') aborted++;
      if (++done === transactions) resolve();
      if (belowLimit && sent - done < outstanding) {
        belowLimit();
        belowLimit = undefined;
      }
    });
  });
  const gcBefore = gcPauses();
  const started = performance.now();
  let batch: CertifiedTransaction[] = [];
  let commitIndex = 0;
  const pending: Promise<unknown>[] = [];
  for (const step of workload.steps) {
    if (step.shared) {
      pending.push(pipeline.commit({ digest: `c${commitIndex}`, index: commitIndex++, certificates: [step.certificate] }));
      sent++;
    } else batch.push(step.certificate);
    if (batch.length === 500) {
      pending.push(pipeline.submit(batch));
      sent += batch.length;
      batch = [];
      if (sent - done >= outstanding) await new Promise<void>((resolve) => (belowLimit = resolve));
    }
  }
  pending.push(pipeline.submit(batch));
  await Promise.all(pending);
  await all;
  const elapsed = performance.now() - started;
  await gcSettled();
  const gcAfter = gcPauses();
  await pipeline.stop();
  return {
    perSecond: (transactions / elapsed) * 1000,
    aborted,
    gcShare: (gcAfter.totalMs - gcBefore.totalMs) / elapsed,
    scavengeMs: (gcAfter.youngMs - gcBefore.youngMs) / Math.max(1, gcAfter.young - gcBefore.young),
  };
}
