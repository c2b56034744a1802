import type { ExecutionOutcome } from '../../../lib/outcomes';
import type { Committee } from '../../../lib/validator/certificates/committee';
import type { StateEffects } from '../../../lib/validator/model/effects';
import type { ObjectId, StoredObject } from '../../../lib/validator/model/objects';
import { type ValidatorPipeline, startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { silentLogger } from '../../support/silent-logger';
import { until } from '../resubmitting-client';

/** A pipeline and every outcome it gave, from its first (recovered ones included). */
export interface RecordedRun {
  readonly pipeline: ValidatorPipeline;
  readonly outcomes: ExecutionOutcome[];
}

/** Start a pipeline on `genesis` (durable with `database`) that records its outcomes; queue ages are patient (a loaded machine). */
export async function startRecorded(committee: Committee, genesis: readonly StoredObject[], database?: string): Promise<RecordedRun> {
  const outcomes: ExecutionOutcome[] = [];
  const pipeline = await startValidatorPipeline({
    committee,
    genesis,
    logger: silentLogger,
    ...(database === undefined ? {} : { database }),
    limits: { maxQueueAgeMs: 60_000 },
    onWired: (wired) => wired.outcomes$.subscribe((o) => outcomes.push(o)),
  });
  return { pipeline, outcomes };
}

export const latest = async (pipeline: ValidatorPipeline, objectId: ObjectId) => (await pipeline.state.store.readLatest([objectId]))[0] as StoredObject;
export const effectsOf = async (pipeline: ValidatorPipeline, digest: string) => (await pipeline.state.store.readExecuted(digest))?.effects as StateEffects;
export const executedCount = (outcomes: readonly ExecutionOutcome[], digest: string) => outcomes.filter((o) => o.kind === 'executed' && o.digest === digest).length;

/** Resolve once each of `digests` has an `executed` outcome in `run`. */
export async function executed(run: RecordedRun, digests: readonly string[]): Promise<void> {
  await until(
    () => digests.every((digest) => executedCount(run.outcomes, digest) > 0),
    () => `${digests.filter((d) => executedCount(run.outcomes, d) > 0).length} of ${digests.length} executed; ${JSON.stringify(run.outcomes.map((o) => o.kind))}`,
  );
}
