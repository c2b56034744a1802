import { execFileSync } from 'node:child_process';
import { mkdirSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { open } from 'lmdb';
import type { ExecutionOutcome } from '../../../lib';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import type { ValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { encodePending, idBytes, objectKey, u64Bytes } from '../../../lib/validator/storage/record-encoding';
import { StoreClosedError, StoreCorruptError, StoreFullError } from '../../../lib/validator/storage/store-errors';
import { type Workload, generateWorkload } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { temporaryDatabase } from '../storage/temporary-database';

const start = (workload: Workload, database: string | LmdbObjectStore) =>
  startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis, database, logger: silentLogger, verifySignatures: false, limits: { maxQueueAgeMs: 600_000 } });

const certificate = (workload: Workload, i: number) => (workload.steps[i] as Workload['steps'][number]).certificate;

/** Step `i`: submitted if owned, else alone in commit `i`. */
function deliver(pipeline: ValidatorPipeline, workload: Workload, i: number): Promise<unknown> {
  const step = workload.steps[i] as Workload['steps'][number];
  return step.shared ? pipeline.commit({ digest: `commit-${i}`, index: i, certificates: [step.certificate] }) : pipeline.submit([step.certificate]);
}

/** What escaped while `run` ran (jest would swallow them; a validator process dies of either), and a moment after. */
async function escapesDuring(run: () => Promise<void>): Promise<string[]> {
  const escapes: string[] = [];
  const rejected = (reason: unknown): void => void escapes.push(`unhandledRejection: ${String(reason)}`);
  const thrown = (error: unknown): void => void escapes.push(`uncaughtException: ${String(error)}`);
  process.on('unhandledRejection', rejected);
  process.on('uncaughtException', thrown);
  try {
    await run();
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    process.off('unhandledRejection', rejected);
    process.off('uncaughtException', thrown);
  }
  return escapes;
}

async function rewrite(path: string, table: string, change: (db: ReturnType<ReturnType<typeof open>['openDB']>) => Promise<unknown>): Promise<void> {
  const root = open<Buffer, string>({ path, maxDbs: 16, encoding: 'binary' });
  await change(root.openDB<Buffer, Buffer>(table, { encoding: 'binary', keyEncoding: 'binary' }));
  await root.close();
}

describe('the durable pipeline on a failing store', () => {
  it('restarted on a full disk with certificates to run: their batches fail with StoreFullError, nothing escapes, and stop resolves', async () => {
    const mount = join(dirname(await temporaryDatabase()), 'small');
    mkdirSync(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]);
    try {
      const workload = generateWorkload({ seed: 4, transactions: 40, accounts: 6, contention: 0, sign: false });
      const owned = workload.steps.flatMap((s, i) => (s.shared ? [] : [i]));
      const path = join(mount, 'validator.mdb');
      const first = await start(workload, path);
      first.driver.pause();
      await first.submit(owned.slice(0, 4).map((i) => certificate(workload, i)));
      await first.stop({ mode: 'abort' });
      const { bavail, bsize } = statfsSync(mount);
      writeFileSync(join(mount, 'junk'), Buffer.alloc(bavail * bsize));

      const failures: ExecutionOutcome[] = [];
      const escapes = await escapesDuring(async () => {
        const second = await start(workload, path);
        second.outcomes$.subscribe((outcome) => {
          if (outcome.kind === 'failed') failures.push(outcome);
        });
        for (let i = 0; i < 50 && failures.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
        await expect(second.submit([certificate(workload, owned[5] as number)])).rejects.toBeInstanceOf(StoreFullError);
        await expect(second.stop()).resolves.toBeDefined();
      });
      expect(failures.length).toBeGreaterThan(0);
      for (const failure of failures) expect(failure.kind === 'failed' && failure.error).toBeInstanceOf(StoreFullError);
      expect(escapes).toEqual([]);
    } finally {
      execFileSync('umount', ['--lazy', mount]);
    }
  }, 30_000);

  it('its store closed under it while commits are on their way: calls refused with StoreClosedError, nothing escapes', async () => {
    const workload = generateWorkload({ seed: 6, transactions: 60, accounts: 10, contention: 0, sign: false });
    const owned = workload.steps.flatMap((s, i) => (s.shared ? [] : [i]));
    const path = await temporaryDatabase();
    const store = LmdbObjectStore.open({ path });
    const pipeline = await start(workload, store);
    const escapes = await escapesDuring(async () => {
      await pipeline.submit(owned.slice(0, 5).map((i) => certificate(workload, i)));
      const running = pipeline.submit(owned.slice(5, 15).map((i) => certificate(workload, i))).catch((error: unknown) => error);
      await store.close();
      const answer = await running;
      if (answer instanceof Error) expect(answer).toBeInstanceOf(StoreClosedError);
      await expect(pipeline.submit([certificate(workload, owned[20] as number)])).rejects.toBeInstanceOf(StoreClosedError);
      await expect(store.readLatest([(workload.genesis[0] as { id: string }).id])).rejects.toBeInstanceOf(StoreClosedError);
      await pipeline.stop({ mode: 'abort' });
    });
    expect(escapes).toEqual([]);
    // What the first submit accepted is on disk, executed or pending.
    const again = LmdbObjectStore.open({ path });
    for (const i of owned.slice(0, 5)) {
      const digest = certificate(workload, i).digest;
      const kept = (await again.readExecuted(digest)) !== undefined || again.epochTables.pendingCertificates().some((r) => r.certificate.digest === digest);
      expect(kept).toBe(true);
    }
    await again.close();
  });

  it('a damaged record refuses the call that reads it with StoreCorruptError, and the pipeline goes on taking work', async () => {
    const workload = generateWorkload({ seed: 5, transactions: 30, accounts: 5, contention: 0.3, sign: false });
    const path = await temporaryDatabase();
    const owned = workload.steps.flatMap((s, i) => (s.shared ? [] : [i]));
    const shared = workload.steps.flatMap((s, i) => (s.shared ? [i] : []));
    // The first life delivers every step up to the third shared one; that one and the rest come after the restart.
    const [sharedStep, laterShared] = [shared[0] as number, shared[2] as number];
    const first = await start(workload, path);
    for (let i = 0; i < laterShared; i++) await deliver(first, workload, i);
    await first.stop();
    const ownedStep = owned[0] as number;
    const laterOwned = owned.find((i) => i > laterShared) as number;
    const counter = certificate(workload, laterShared).data.inputs.find((input) => input.kind === 'shared');
    const coin = certificate(workload, laterOwned).data.inputs.find((input) => input.kind === 'owned');
    if (counter?.kind !== 'shared' || coin?.kind !== 'owned') throw new Error('the steps read no shared object or no owned one');
    // An executed owned step that reads neither damaged object: the pipeline answers it while it takes work.
    const readsOf = (i: number) => [...certificate(workload, i).data.inputs.map((input) => (input.kind === 'shared' ? input.id : input.ref.id)), certificate(workload, i).data.gas.payment.id];
    const untouched = owned.find((i) => i < laterShared && i !== ownedStep && !readsOf(i).includes(coin.ref.id)) as number;
    const store = LmdbObjectStore.open({ path });
    const [latestCounter, latestCoin] = await store.readLatest([counter.id, coin.ref.id]);
    await store.close();
    await rewrite(path, 'executed', async (executed) => {
      const key = idBytes(certificate(workload, ownedStep).digest);
      await executed.put(key, Buffer.from(executed.getBinary(key) as Buffer).subarray(0, 30));
    });
    await rewrite(path, 'commits', async (commits) => {
      const key = u64Bytes(sharedStep);
      await commits.put(key, Buffer.from(commits.getBinary(key) as Buffer).subarray(0, 3));
    });
    await rewrite(path, 'objects', async (objects) => {
      for (const key of [objectKey(counter.id, latestCounter?.version ?? 0), objectKey(coin.ref.id, latestCoin?.version ?? 0)]) {
        await objects.put(key, Buffer.from(objects.getBinary(key) as Buffer).subarray(0, 10));
      }
    });
    const second = await start(workload, path);
    // The commit delivered again meets its damaged record: that call is refused, naming the table.
    await expect(deliver(second, workload, sharedStep)).rejects.toMatchObject({ name: 'StoreCorruptError', table: 'commits', path });
    // Its effects damaged, an executed certificate is still known executed (the epoch's marker), and never runs again;
    // reading the effects themselves is the refusal.
    await expect(deliver(second, workload, ownedStep)).resolves.toEqual(['already-executed']);
    await expect(second.state.store.readExecuted(certificate(workload, ownedStep).digest)).rejects.toMatchObject({
      name: 'StoreCorruptError',
      table: 'executed',
      key: certificate(workload, ownedStep).digest,
    });
    // A submit whose input's record is damaged: refused whole, and nothing else is (it assigned nothing).
    await expect(deliver(second, workload, laterOwned)).rejects.toMatchObject({ name: 'StoreCorruptError', table: 'objects', path });
    // Neither a read that failed nor a commit refused is a write that failed: the pipeline still takes work (before,
    // the first stopped it, and then the refusal of the commit after a failed one did, refusing every later call with it).
    await expect(deliver(second, workload, untouched)).resolves.toEqual(['already-executed']);
    // A new commit whose shared object's record is damaged: its versions were assigned when the read failed, so what
    // follows on that object could never run here. The pipeline stops taking work, as after a failed write (it took
    // later commits as pending, for good, before).
    const damaged: unknown = await deliver(second, workload, laterShared).catch((e: unknown) => e);
    expect(damaged).toBeInstanceOf(StoreCorruptError);
    expect(damaged).toMatchObject({ table: 'objects', path });
    await expect(deliver(second, workload, shared[3] as number)).rejects.toBe(damaged);
    await expect(deliver(second, workload, untouched)).rejects.toBe(damaged);
    await second.stop();
  });

  it('a pending record rewritten with another certificate: the restart is refused, naming its key, and nothing runs', async () => {
    const workload = generateWorkload({ seed: 9, transactions: 12, accounts: 4, contention: 0, sign: false });
    const owned = workload.steps.flatMap((s, i) => (s.shared ? [] : [i]));
    const [held, other] = [certificate(workload, owned[0] as number), certificate(workload, owned[1] as number)];
    const path = await temporaryDatabase();
    const first = await start(workload, path);
    first.driver.pause();
    await first.submit([held]);
    await first.stop({ mode: 'abort' });
    await rewrite(path, 'pending', (pending) => pending.put(idBytes(held.digest), encodePending({ certificate: other, commit: undefined, shared: new Map() })));
    const refusal: unknown = await start(workload, path).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(StoreCorruptError);
    expect(refusal).toMatchObject({ table: 'pending', key: held.digest, path });
    const store = LmdbObjectStore.open({ path });
    expect(await store.readExecuted(other.digest)).toBeUndefined();
    await store.close();
  });
});
