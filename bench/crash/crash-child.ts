/**
 * One life of the crash harness's validator: open the database, start the
 * durable pipeline (which recovers), deliver what the parent says clients
 * and consensus send, and report every acknowledgement over IPC, until the
 * parent kills it (SIGKILL), tells it to stop, or, when told to, it kills
 * itself inside a write transaction.
 *
 *   node crash-child.cjs <job.json>   (spawned by crash-harness.ts, with an IPC channel)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import winston from 'winston';
import {
  type CertifiedTransaction,
  LmdbObjectStore,
  OverloadedError,
  PipelineStoppedError,
  type ValidatorPipeline,
  startValidatorPipeline,
} from '../../lib/validator';
import type { ChildJob, ChildMessage, StopMessage } from './crash-messages';
import { type ChildPlan, readChildPlan } from './crash-plan';
import { acknowledgeBeforeWriting } from './write-back-fault';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Set once the parent asks for a stop: what a stop aborts is expected, and the store is about to close. */
let stopping = false;

function send(message: ChildMessage): void {
  if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
}

/** One call to the pipeline: an owned step submitted, or a commit delivered. */
type Delivery = { readonly at: number; readonly step: number; readonly commit?: never } | { readonly at: number; readonly commit: ChildPlan['commits'][number]; readonly step?: never };

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as ChildJob;
  const plan = readChildPlan(job.planFile);
  if (job.fault === 'overlapping-sync') overlapSyncs();
  send({ type: 'recovering' });
  const started = performance.now();
  const store = LmdbObjectStore.open({ path: job.database, sync: job.fault !== 'no-sync' });
  injectFaults(store, job);
  const pipeline = await startValidatorPipeline({
    committee: plan.committee,
    genesis: plan.genesis,
    database: store,
    verifySignatures: false,
    logger: winston.createLogger({ silent: true }),
    // Clients here never give up: no certificate is handed back for waiting.
    limits: { maxQueueAgeMs: 600_000, maxAwaitingCreationAgeMs: 600_000 },
  });
  send({ type: 'recovered', report: pipeline.recovered as NonNullable<ValidatorPipeline['recovered']>, ms: performance.now() - started });
  pipeline.outcomes$.subscribe((outcome) => {
    if (outcome.kind === 'executed') send({ type: 'executed', digest: outcome.digest, effects: outcome.effects.digest });
    else if ((outcome.kind === 'failed' && !stopping) || outcome.kind === 'fatal') send({ type: 'failed', digest: outcome.digest, detail: `${outcome.kind}: ${String(outcome.error)}` });
  });
  process.on('message', (message: Partial<StopMessage>) => {
    if (message.type !== 'stop' || message.mode === undefined) return;
    stopping = true;
    void stop(pipeline, store, message.mode);
  });
  await deliver(pipeline, plan, job);
  if (await allExecuted(store, plan)) send({ type: 'done' });
}

/** Deliver in step order, `window` calls at a time; commits in index order, each right where its first step is. */
async function deliver(pipeline: ValidatorPipeline, plan: ChildPlan, job: ChildJob): Promise<void> {
  const { certificates } = plan;
  const deliveries: Delivery[] = [
    ...job.owned.map((step) => ({ at: step, step })),
    ...job.ownedDuplicates.map((step) => ({ at: step + 0.5, step })),
    ...plan.commits.filter((commit) => commit.index >= job.commitsFrom).map((commit) => ({ at: commit.steps[0] as number, commit })),
  ].sort((a, b) => a.at - b.at);
  const inFlight = new Set<Promise<void>>();
  const call = async (delivery: Delivery): Promise<void> => {
    for (;;) {
      try {
        if (delivery.commit) {
          const { index, digest } = delivery.commit;
          const sequenced = delivery.commit.steps.map((step) => certificates[step] as CertifiedTransaction);
          const results = await pipeline.commit({ digest, index, certificates: sequenced });
          send({ type: 'committed', index, results });
        } else {
          const [result] = await pipeline.submit([certificates[delivery.step]]);
          if (result) send({ type: 'accepted', step: delivery.step, result });
        }
        return;
      } catch (error) {
        if (error instanceof PipelineStoppedError) return;
        if (!(error instanceof OverloadedError)) {
          send({ type: 'error', detail: `${delivery.commit ? `commit ${delivery.commit.index}` : `submit of step ${delivery.step}`}: ${String(error)}` });
          return;
        }
        await pause(10); // as a client refused for load does
      }
    }
  };
  for (const delivery of deliveries) {
    while (inFlight.size >= job.window) await Promise.race(inFlight);
    const running = call(delivery).finally(() => inFlight.delete(running));
    inFlight.add(running);
  }
  await Promise.all(inFlight);
}

/** Resolves true once every step has executed, false if a stop comes first. */
async function allExecuted(store: LmdbObjectStore, plan: ChildPlan): Promise<boolean> {
  let outstanding = plan.certificates.map((certificate) => certificate.digest);
  while (!stopping) {
    const executed = await Promise.all(outstanding.map((digest) => store.readExecuted(digest)));
    outstanding = outstanding.filter((_, i) => executed[i] === undefined);
    if (outstanding.length === 0) return true;
    await pause(20);
  }
  return false;
}

async function stop(pipeline: ValidatorPipeline, store: LmdbObjectStore, mode: 'drain' | 'abort'): Promise<void> {
  await pipeline.stop({ mode });
  await store.close();
  process.send?.({ type: 'stopped', mode } satisfies ChildMessage, undefined, undefined, () => process.exit(0));
}

/**
 * The faults a job may ask for: a SIGKILL from inside the n-th write
 * transaction, once its writes are made and before it commits; or a store
 * that acknowledges a commit before writing it (to prove the harness sees it).
 */
function injectFaults(store: LmdbObjectStore, job: ChildJob): void {
  // Every durable write (commit batches and epoch tables) is a child transaction of the objects table.
  const tables = store as unknown as { objects: { childTransaction: (callback: () => void) => Promise<unknown> } };
  if (job.killInsideWrite !== undefined) {
    const real = tables.objects.childTransaction.bind(tables.objects);
    let writes = 0;
    tables.objects.childTransaction = (callback) =>
      real(() => {
        callback();
        if (++writes === job.killInsideWrite) process.kill(process.pid, 'SIGKILL');
      });
  }
  if (job.fault === 'ack-before-write') acknowledgeBeforeWriting(store, 20);
}

/** Open every LMDB database with `overlappingSync` on, whatever the store asks for. */
function overlapSyncs(): void {
  // The module object the store's own import of lmdb resolves to (the bundle keeps lmdb external).
  const lmdb = createRequire(__filename)('lmdb') as { open: (options: object) => unknown };
  const open = lmdb.open;
  lmdb.open = (options) => open({ ...options, overlappingSync: true });
}

main().catch((error: unknown) => {
  send({ type: 'error', detail: `the child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` });
  setTimeout(() => process.exit(1), 50);
});
