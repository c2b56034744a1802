import { execFileSync } from 'node:child_process';
import { filter, firstValueFrom } from 'rxjs';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ExecutionOutcome } from '../../../lib';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import type { ValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { StoreFullError } from '../../../lib/validator/storage/store-errors';
import { type Workload, generateWorkload } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { temporaryDatabase } from '../storage/temporary-database';

const start = (workload: Workload, database: string | LmdbObjectStore) =>
  startValidatorPipeline({
    committee: workload.committee,
    genesis: workload.genesis,
    database,
    logger: silentLogger,
    verifySignatures: false,
    // What waits on a held-back step waits as long as the test takes.
    limits: { maxQueueAgeMs: 600_000 },
  });

/** Deliver step `i`: submitted if owned, else alone in commit `i`. Resolves with the digests it accepted. */
async function deliver(pipeline: ValidatorPipeline, workload: Workload, i: number): Promise<void> {
  const step = workload.steps[i] as Workload['steps'][number];
  if (step.shared) await pipeline.commit({ digest: `commit-${i}`, index: i, certificates: [step.certificate] });
  else await pipeline.submit([step.certificate]);
}

/** Resolve once every step has an effects record, or reject saying how many have not after `ms`. */
async function allExecuted(store: LmdbObjectStore, workload: Workload, ms = 20_000): Promise<void> {
  const deadline = performance.now() + ms;
  for (;;) {
    const records = await Promise.all(workload.steps.map((s) => store.readExecuted(s.certificate.digest)));
    const missing = records.filter((r) => r === undefined).length;
    if (missing === 0) return;
    if (performance.now() > deadline) throw new Error(`${missing} steps never executed`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const liveKeys = (objects: readonly { id: string; version: number; digest: string }[]) => objects.map((o) => [o.id, o.version, o.digest]);

describe('the durable pipeline when the store fails', () => {
  it('a consensus commit whose write fails midway leaves no trace, and the pipeline stops; consensus redelivers it after a restart', async () => {
    const workload = generateWorkload({ seed: 21, transactions: 40, accounts: 6, contention: 0.5, sign: false });
    const path = await temporaryDatabase();
    const store = LmdbObjectStore.open({ path });
    const first = await start(workload, store);
    const shared = workload.steps.findIndex((s) => s.shared);
    for (let i = 0; i < shared; i++) await deliver(first, workload, i);
    // The commit's write transaction fails after its pending records are written, before its commit index.
    const commits = (store.epochTables as unknown as { commits: { put: (...args: unknown[]) => unknown } }).commits;
    const put = commits.put.bind(commits);
    commits.put = () => {
      throw new Error('injected failure inside the write transaction');
    };
    await expect(deliver(first, workload, shared)).rejects.toThrow('injected failure inside the write transaction');
    commits.put = put;
    const digest = (workload.steps[shared] as Workload['steps'][number]).certificate.digest;
    expect(store.epochTables.pendingCertificates().map((r) => r.certificate.digest)).not.toContain(digest);
    expect(store.epochTables.lastCommitIndex()).toBeUndefined();
    expect(store.epochTables.nextSharedVersions().size).toBe(0);
    // It takes no more work (and runs nothing at versions a restart would not know).
    await expect(deliver(first, workload, shared + 1)).rejects.toThrow('injected failure inside the write transaction');
    await first.stop({ mode: 'abort' });
    await store.close();

    const second = await start(workload, path);
    for (let i = shared; i < workload.steps.length; i++) await deliver(second, workload, i);
    await allExecuted(second.database as LmdbObjectStore, workload);
    expect(liveKeys((second.database as LmdbObjectStore).liveObjects())).toEqual(liveKeys(workload.expectedFinalObjects));
    await second.stop();
  }, 30_000);

  it('on a full disk: a typed error, no more work taken, and everything accepted still there after a restart on a bigger disk', async () => {
    // lmdb-js grows its map on demand whatever mapSize says (mdb.c, "lmdb-js addition" in mdb_page_alloc), so a small tmpfs fills it.
    const mount = join(dirname(await temporaryDatabase()), 'small');
    mkdirSync(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mount]);
    // Jest would swallow them; outside it an unhandled rejection (a raw lmdb-js "Commit failed") ends the process.
    const unhandled: unknown[] = [];
    const recordUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', recordUnhandled);
    try {
      const workload = generateWorkload({ seed: 22, transactions: 700, accounts: 30, contention: 0.2, invalidShare: 0.05, sign: false });
      const path = join(mount, 'validator.mdb');
      const first = await start(workload, path);
      const failedExecutions: ExecutionOutcome[] = [];
      first.outcomes$.subscribe((outcome) => {
        if (outcome.kind === 'failed') failedExecutions.push(outcome);
      });
      const accepted: string[] = [];
      let refused = workload.steps.length;
      let refusal: unknown;
      // The first owned step is held back: what spends its outputs is accepted and waits, pending, when the disk fills.
      const withheld = workload.steps.findIndex((s) => !s.shared);
      for (let i = 0; i < workload.steps.length && refusal === undefined; i++) {
        if (i === withheld) continue;
        try {
          await deliver(first, workload, i);
          accepted.push((workload.steps[i] as Workload['steps'][number]).certificate.digest);
        } catch (error) {
          refusal = error;
          refused = i;
        }
        // Once an execution could not be written, the very next call is refused.
        if (refusal === undefined && failedExecutions.length > 0) {
          await expect(deliver(first, workload, i + 1)).rejects.toBeInstanceOf(StoreFullError);
          refusal = failedExecutions[0]?.kind === 'failed' ? failedExecutions[0].error : undefined;
          refused = i + 1;
        }
      }
      expect(refused).toBeLessThan(workload.steps.length);
      expect(refusal).toBeInstanceOf(StoreFullError);
      expect((refusal as StoreFullError).path).toBe(path);
      // No more work: owned or shared, refused with the same typed error.
      const owned = workload.steps.findIndex((s, i) => i > refused && !s.shared);
      const shared = workload.steps.findIndex((s, i) => i > refused && s.shared);
      await expect(deliver(first, workload, owned)).rejects.toBeInstanceOf(StoreFullError);
      await expect(deliver(first, workload, shared)).rejects.toBeInstanceOf(StoreFullError);
      // The stop closes the database (a path): the failed flush was its callers' answer, not the stop's.
      await expect(first.stop({ mode: 'abort' })).resolves.toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);

      // The same database on a bigger disk: everything accepted is pending or executed, and the rest runs.
      execFileSync('mount', ['-o', 'remount,size=64m', mount]);
      const second = await start(workload, path);
      const store = second.database as LmdbObjectStore;
      const pending = new Set(store.epochTables.pendingCertificates().map((r) => r.certificate.digest));
      const lost = [];
      for (const digest of accepted) if (!pending.has(digest) && (await store.readExecuted(digest)) === undefined) lost.push(digest);
      expect(lost).toEqual([]);
      expect(second.recovered?.reenqueued).toBeGreaterThan(0);
      await deliver(second, workload, withheld);
      for (let i = refused; i < workload.steps.length; i++) await deliver(second, workload, i);
      await allExecuted(store, workload);
      expect(liveKeys(store.liveObjects())).toEqual(liveKeys(workload.expectedFinalObjects));
      // Executed is read from staged batches too; the pending table is the disk's.
      await store.whenDurable();
      expect(store.epochTables.pendingCount()).toBe(0);
      await second.stop();
    } finally {
      process.off('unhandledRejection', recordUnhandled);
      execFileSync('umount', ['--lazy', mount]);
    }
  }, 60_000);

  it('an execution whose batch cannot be written (a full disk) stops the pipeline taking work, even if a smaller write would fit', async () => {
    const workload = generateWorkload({ seed: 23, transactions: 20, accounts: 4, sign: false });
    const path = await temporaryDatabase();
    const store = LmdbObjectStore.open({ path });
    const first = await start(workload, store);
    const failed = firstValueFrom(first.outcomes$.pipe(filter((o) => o.kind === 'failed')));
    const stage = store.stage.bind(store);
    store.stage = () => Promise.reject(new StoreFullError(path));
    const [owned, next] = workload.steps.flatMap((s, i) => (s.shared ? [] : [i]));
    await deliver(first, workload, owned as number); // accepted: its pending record is written
    const outcome = await failed;
    expect(outcome.error).toBeInstanceOf(StoreFullError);
    store.stage = stage; // room again for small writes: the pipeline must not take them
    await expect(deliver(first, workload, next as number)).rejects.toBeInstanceOf(StoreFullError);
    await first.stop({ mode: 'abort' });
    await store.close();
    // What could not be written is still pending, and a restart runs it.
    const second = await start(workload, path);
    expect(second.recovered?.reenqueued).toBe(1);
    const digest = (workload.steps[owned as number] as Workload['steps'][number]).certificate.digest;
    await expect(firstValueFrom(second.outcomes$.pipe(filter((o) => o.digest === digest)))).resolves.toMatchObject({ kind: 'executed' });
    await second.stop();
  });
});
