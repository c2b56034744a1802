import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { CertifiedTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { CommitOrderError, OverloadedError } from '../../../lib/validator/errors';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import type { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { WorkloadGenerator, generateWorkload } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { temporaryDatabase } from '../storage/temporary-database';

// Worker threads start in a few hundred milliseconds, more on two shared cores.
jest.setTimeout(60_000);

describe('a commit the pipeline refuses before it reaches the manager', () => {
  it('for an overload (a retry may pass): later commits are refused until it is delivered again, then all are ordered and executed', async () => {
    const workload = generateWorkload({ seed: 23, transactions: 40, accounts: 6, contention: 1 });
    const shared: CertifiedTransaction[] = workload.steps.filter((s) => s.shared).map((s) => s.certificate);
    expect(shared.length).toBeGreaterThan(4);
    const pipeline = await startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis, logger: silentLogger, verification: { workers: 1, maxPending: 3 } });
    try {
      // Called back to back, as consensus delivers: commit 1 finds commit 0's certificates still being verified.
      const c0 = pipeline.commit({ digest: 'c0', index: 0, certificates: shared.slice(0, 2) });
      const c1 = pipeline.commit({ digest: 'c1', index: 1, certificates: shared.slice(2, 4) });
      const c2 = pipeline.commit({ digest: 'c2', index: 2, certificates: shared.slice(4, 5) });
      await expect(c0).resolves.toHaveLength(2);
      await expect(c1).rejects.toBeInstanceOf(OverloadedError);
      // Ordered before commit 1, commit 2's certificates would take versions no other validator gives them.
      await expect(c2).rejects.toMatchObject({ constructor: CommitOrderError, problem: 'after-failed-commit', index: 2, lastIndex: 1 });
      // Still refused while commit 1 has not come again.
      await expect(pipeline.commit({ digest: 'c2', index: 2, certificates: shared.slice(4, 5) })).rejects.toMatchObject({ problem: 'after-failed-commit' });
      await expect(pipeline.commit({ digest: 'c1', index: 1, certificates: shared.slice(2, 4) })).resolves.toHaveLength(2);
      await expect(pipeline.commit({ digest: 'c2', index: 2, certificates: shared.slice(4, 5) })).resolves.toHaveLength(1);
    } finally {
      const summary = await pipeline.stop();
      expect(summary.executed).toBe(5);
      expect(summary.heldByManager).toEqual([]);
    }
  });

  it('for a malformed certificate: refused with its typed error, while the commit before it is still being verified, and nothing is left unhandled (a child process with Node defaults)', () => {
    const program = path.join(__dirname, 'programs/commit-refused-behind-another.ts');
    const child = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), program], { encoding: 'utf8', timeout: 45_000 });
    expect(child.error).toBeUndefined();
    expect(child.stderr).toBe('');
    expect(child.stdout.trim().split('\n')).toEqual(['commit 0: ready,ready', 'commit 1: InvalidCertificateError malformed', 'survived']);
    expect(child.status).toBe(0);
  });
});

describe('a stop that comes while a durable submit writes its pending records', () => {
  it('waits for the write: the submit is answered, and the restart finds the certificate', async () => {
    const generator = new WorkloadGenerator({ seed: 5, accounts: 3, sign: false });
    const [step] = generator.next(6).filter((s) => !s.shared);
    if (!step) throw new Error('the workload starts with shared transactions only');
    const path = await temporaryDatabase();
    const start = () =>
      startValidatorPipeline({ committee: generator.committee, genesis: generator.genesis, database: path, logger: silentLogger, verifySignatures: false, limits: { maxQueueAgeMs: 60_000 } });
    const first = await start();
    first.driver.pause(); // accepted, it stays pending: only its record on disk brings it back
    // The pending record's write takes a while (a slow disk), longer than the stop's own steps.
    const tables = (first.database as LmdbObjectStore).epochTables;
    const recordAccepted = tables.recordAccepted.bind(tables);
    tables.recordAccepted = async (records) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return recordAccepted(records);
    };
    let stopped: Promise<unknown> | undefined;
    const enqueue = first.manager.enqueue.bind(first.manager);
    // The stop starts the moment the manager has accepted, before the pending record is written.
    first.manager.enqueue = (certificates) =>
      enqueue(certificates).then((results) => {
        stopped = first.stop();
        return results;
      });
    await expect(first.submit([step.certificate])).resolves.toEqual(['ready']);
    await stopped;
    const second = await start();
    expect(second.recovered?.reenqueued).toBe(1);
    await second.stop();
  }, 30_000);
});
