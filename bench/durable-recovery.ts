/**
 * Recovery after a crash with many accepted-but-unexecuted certificates.
 *
 * A child process runs the durable pipeline with execution paused, submits
 * the certificates (owned ones in batches, shared ones in consensus commits),
 * and says so once every submit has resolved, that is once each certificate
 * is on disk in the pending table. The parent kills it with SIGKILL, then
 * times `startValidatorPipeline({ database })` in its own process until it
 * has recovered, and then until every recovered certificate has executed.
 *
 *   child: npx tsx bench/durable-recovery.ts --hold=<path> --certificates=<n>
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import winston from 'winston';
import { type CertifiedTransaction, Committee, LmdbObjectStore, WorkloadGenerator, type WorkloadGeneratorOptions, digestsReady, startValidatorPipeline } from '../lib/validator';

const silent = winston.createLogger({ silent: true });
const WORKLOAD: WorkloadGeneratorOptions = { seed: 21, accounts: 5_000, contention: 0.1, hotCounters: 4, invalidShare: 0.02, sign: false };
/** Nothing is refused or handed back while execution is paused: every certificate stays pending. */
const NO_LIMITS = {
  maxPendingAndExecuting: 10_000_000,
  maxPerObjectQueue: 10_000_000,
  maxQueueAgeMs: Number.POSITIVE_INFINITY,
  maxAwaitingCreation: 10_000_000,
  maxAwaitingCreationAgeMs: Number.POSITIVE_INFINITY,
};

/** What a recovery measured. */
export interface RecoveryFigures {
  readonly pending: number;
  readonly reenqueued: number;
  /** From the call to `startValidatorPipeline` until it resolved, recovered (ms). */
  readonly recoverMs: number;
  /** From the same call until every recovered certificate executed (ms). */
  readonly drainedMs: number;
  readonly databaseBytes: number;
}

/** The child: hold `count` certificates pending on disk, print `held`, and wait to be killed. */
async function holdPending(path: string, count: number): Promise<void> {
  await digestsReady();
  const generator = new WorkloadGenerator(WORKLOAD);
  const steps = generator.next(count);
  const started = performance.now();
  const pipeline = await startValidatorPipeline({ committee: generator.committee, genesis: generator.genesis, database: path, verifySignatures: false, logger: silent, limits: NO_LIMITS });
  pipeline.driver.pause();
  let owned: CertifiedTransaction[] = [];
  let index = 0;
  const calls: Promise<unknown>[] = [];
  for (const step of steps) {
    if (step.shared) calls.push(pipeline.commit({ digest: `commit-${index}`, index: index++, certificates: [step.certificate] }));
    else owned.push(step.certificate);
    if (owned.length === 1_000) {
      calls.push(pipeline.submit(owned));
      owned = [];
    }
  }
  calls.push(pipeline.submit(owned));
  await Promise.all(calls);
  process.stdout.write(`held ${pipeline.database?.epochTables.pendingCount()} in ${Math.round(performance.now() - started)} ms\n`);
  setInterval(() => undefined, 60_000); // alive until SIGKILL
}

/** Hold `count` certificates pending in a child, kill it, and time the recovery here. */
export async function measureRecovery(count: number): Promise<RecoveryFigures> {
  const folder = mkdtempSync(join(tmpdir(), 'soma-recovery-'));
  const path = join(folder, 'validator.mdb');
  try {
    await holdInChild(path, count);
    const { genesis } = new WorkloadGenerator(WORKLOAD);
    await digestsReady();
    const started = performance.now();
    // The validator restarts with its own committee (generated keys differ from run to run): the one on disk.
    const database = LmdbObjectStore.open({ path });
    const recorded = database.epochTables.committee();
    if (!recorded) throw new Error('the child recorded no committee');
    const committee = new Committee(recorded.epoch, recorded.validators);
    const pipeline = await startValidatorPipeline({ committee, genesis, database, verifySignatures: false, logger: silent, limits: NO_LIMITS, maxConcurrentExecutions: 64 });
    const recoverMs = performance.now() - started;
    const reenqueued = pipeline.recovered?.reenqueued ?? 0;
    const tables = pipeline.database?.epochTables;
    while ((tables?.pendingCount() ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const drainedMs = performance.now() - started;
    await pipeline.stop();
    await database.close();
    return { pending: count, reenqueued, recoverMs, drainedMs, databaseBytes: statSync(path).size };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function holdInChild(path: string, count: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, `--hold=${path}`, `--certificates=${count}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const held = /held (\d+)/.exec(output);
      if (!held) return;
      if (Number(held[1]) !== count) reject(new Error(`the child held ${held[1]} certificates, not ${count}`));
      child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`the child exited (${code ?? signal}) before it was killed`))));
  });
}

const hold = process.argv.find((arg) => arg.startsWith('--hold='))?.slice('--hold='.length);
if (hold !== undefined) {
  const count = Number(process.argv.find((arg) => arg.startsWith('--certificates='))?.slice('--certificates='.length));
  void holdPending(hold, count);
}
