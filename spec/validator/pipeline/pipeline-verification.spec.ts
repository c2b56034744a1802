import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { type CertifiedTransaction, certifyTransaction, verifyCertificate } from '../../../lib/validator/certificates/certified-transaction';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { InvalidCertificateError, OverloadedError, PipelineStoppedError } from '../../../lib/validator/errors';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { QuorumVerifierPool } from '../../../lib/validator/verifier';
import { type Workload, generateWorkload } from '../../../lib/validator/workload/workload';
import { crashingWorker } from '../verifier/fixtures';
import { silentLogger } from '../../support/silent-logger';

// Worker threads start in a few hundred milliseconds, more on two shared cores.
jest.setTimeout(60_000);

// The binding's own exports object, the one the library calls through (a namespace import's bindings cannot be spied on).
const blst = jest.requireActual<typeof import('@chainsafe/blst')>('@chainsafe/blst');

const owned = (workload: Workload): CertifiedTransaction[] => workload.steps.filter((s) => !s.shared).map((s) => s.certificate);
const sharedSteps = (workload: Workload): CertifiedTransaction[] => workload.steps.filter((s) => s.shared).map((s) => s.certificate);

/** `certificate` with an aggregate of other keys (same epoch and names): a forgery only the pairing finds. */
function forge(certificate: CertifiedTransaction): CertifiedTransaction {
  const outsiders = generateCommittee(0, [1, 1, 1, 1], 99);
  return { ...certificate, quorumSignature: certifyTransaction(certificate.data, outsiders.committee, outsiders.signers.slice(0, 3)).quorumSignature };
}

/** The refusal `verifyCertificate` (the single path, on this thread) gives `value`. */
function singlePathRefusal(value: unknown, workload: Workload): InvalidCertificateError {
  try {
    verifyCertificate(value, workload.committee);
  } catch (error) {
    if (error instanceof InvalidCertificateError) return error;
    throw error;
  }
  throw new Error('the single path accepts it');
}

const start = (workload: Workload, extra: Partial<Parameters<typeof startValidatorPipeline>[0]> = {}) =>
  startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis, logger: silentLogger, ...extra });

describe('startValidatorPipeline verifies signatures on its worker pool', () => {
  it('does no signature arithmetic on the main thread, and refuses a forgery with the single path\'s error', async () => {
    const workload = generateWorkload({ seed: 21, transactions: 12, accounts: 4, contention: 0 });
    const certificates = owned(workload);
    const forged = forge(certificates[1] as CertifiedTransaction);
    const expected = singlePathRefusal(forged, workload);
    const pipeline = await start(workload, { verification: { workers: 2 } });
    // The binding's verifying and aggregating functions, watched on this thread from here on (the committee and the
    // signing are done). Its classes' static parsers are read-only and cannot be watched; the single path calls `verify`.
    const watched = [
      jest.spyOn(blst, 'verify'),
      jest.spyOn(blst, 'verifyMultipleAggregateSignatures'),
      jest.spyOn(blst, 'aggregatePublicKeys'),
      jest.spyOn(blst, 'aggregateSignatures'),
      jest.spyOn(blst, 'aggregateVerify'),
      jest.spyOn(blst, 'fastAggregateVerify'),
      jest.spyOn(blst, 'aggregateWithRandomness'),
    ];
    try {
      const refusal = await pipeline.submit([certificates[0], forged, certificates[2]]).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(InvalidCertificateError);
      expect(refusal).toMatchObject({ problem: 'invalid-signature', digest: forged.digest, message: expected.message });
      // Refused whole: nothing of the call was enqueued.
      expect(pipeline.manager.counts).toEqual({ pending: 0, executing: 0, missingObjects: 0 });
      expect(await pipeline.submit(certificates)).toHaveLength(certificates.length);
      for (const spy of watched) expect(spy).not.toHaveBeenCalled();
      const stats = pipeline.verificationStats();
      expect(stats).toMatchObject({ refused: 1, pending: 0 });
      expect(stats?.verified).toBeGreaterThanOrEqual(certificates.length);
      expect(stats?.pool?.workers).toBe(2);
      expect(stats?.pool?.items).toBeGreaterThanOrEqual(certificates.length);
    } finally {
      for (const spy of watched) spy.mockRestore();
      await pipeline.stop();
    }
  });

  it("a call's refusal is its first bad certificate's, in order, the door's or the signature's", async () => {
    const workload = generateWorkload({ seed: 22, transactions: 6, accounts: 3, contention: 0 });
    const [a, b] = owned(workload) as [CertifiedTransaction, CertifiedTransaction];
    const forged = forge(b);
    const tampered = { ...a, digest: b.digest }; // the door: its bytes do not digest to it
    const pipeline = await start(workload);
    try {
      await expect(pipeline.submit([a, forged, tampered])).rejects.toMatchObject({ problem: 'invalid-signature', digest: forged.digest });
      await expect(pipeline.submit([a, tampered, forged])).rejects.toMatchObject({ problem: 'digest-mismatch' });
      const underSigned = certifyTransaction(a.data, workload.committee, workload.signers.slice(0, 2));
      await expect(pipeline.submit([underSigned])).rejects.toMatchObject({ problem: 'insufficient-stake', message: singlePathRefusal(underSigned, workload).message });
      const otherEpoch = generateCommittee(3, [1, 1, 1, 1]);
      const wrongEpoch = certifyTransaction(a.data, otherEpoch.committee, otherEpoch.signers.slice(0, 3));
      await expect(pipeline.submit([wrongEpoch])).rejects.toMatchObject({ problem: 'wrong-epoch', message: singlePathRefusal(wrongEpoch, workload).message });
      expect(pipeline.manager.counts.pending + pipeline.manager.counts.executing).toBe(0);
    } finally {
      await pipeline.stop();
    }
  });

  it('commits reach the manager in call order, whatever each one waits for its verification', async () => {
    const workload = generateWorkload({ seed: 23, transactions: 40, accounts: 6, contention: 1 });
    const shared = sharedSteps(workload);
    expect(shared.length).toBeGreaterThan(3);
    const pipeline = await start(workload);
    try {
      // Commit 0 waits for a batch of signatures; commit 1 has none to verify, and would overtake it.
      const first = pipeline.commit({ digest: 'c0', index: 0, certificates: shared });
      const second = pipeline.commit({ digest: 'c1', index: 1, certificates: [] });
      await expect(first).resolves.toHaveLength(shared.length);
      await expect(second).resolves.toEqual([]);
      // A forged commit is refused whole, and the next one is still ordered after the last accepted.
      await expect(pipeline.commit({ digest: 'c2', index: 2, certificates: [forge(shared[0] as CertifiedTransaction)] })).rejects.toMatchObject({ problem: 'invalid-signature' });
      await expect(pipeline.commit({ digest: 'c3', index: 3, certificates: [] })).resolves.toEqual([]);
    } finally {
      await pipeline.stop();
    }
  });

  it('verifies a certificate seen twice once (the cache), and skips signatures with verifySignatures: false, starting no thread', async () => {
    const workload = generateWorkload({ seed: 24, transactions: 4, accounts: 4, contention: 0 });
    const [a] = owned(workload) as [CertifiedTransaction];
    const pipeline = await start(workload);
    try {
      await pipeline.submit([a]);
      await pipeline.submit([a]);
      expect(pipeline.verificationStats()).toMatchObject({ verified: 2, duplicates: 1 });
    } finally {
      await pipeline.stop();
    }
    const unverified = await start(generateWorkload({ seed: 24, transactions: 4, accounts: 4, contention: 0, sign: false }), { verifySignatures: false });
    try {
      const unsigned = owned(generateWorkload({ seed: 24, transactions: 4, accounts: 4, contention: 0, sign: false }));
      await expect(unverified.submit(unsigned)).resolves.toHaveLength(unsigned.length);
      expect(unverified.verificationStats()).toBeUndefined();
    } finally {
      await unverified.stop();
    }
  });

  it('refuses a call past maxPending whole (OverloadedError), but always takes one when nothing is being verified', async () => {
    const workload = generateWorkload({ seed: 25, transactions: 30, accounts: 30, contention: 0 });
    const certificates = owned(workload);
    const pipeline = await start(workload, { verification: { maxPending: 4 } });
    try {
      const first = pipeline.submit(certificates.slice(0, 3));
      const refused = await pipeline.submit(certificates.slice(3, 5)).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OverloadedError);
      expect(refused).toMatchObject({ limit: 'pending-verification' });
      await first;
      expect(pipeline.manager.counts.pending + pipeline.manager.counts.executing).toBeLessThanOrEqual(3);
      await expect(pipeline.submit(certificates.slice(3, 20))).resolves.toHaveLength(17);
    } finally {
      await pipeline.stop();
    }
  });

  it('shares an injected pool between pipelines: a stop leaves it to its owner', async () => {
    const pool = new QuorumVerifierPool({ workers: 2 });
    const workload = generateWorkload({ seed: 26, transactions: 8, accounts: 8, contention: 0 });
    const one = await start(workload, { verification: { pool } });
    const two = await start(workload, { verification: { pool } });
    try {
      await one.submit(owned(workload).slice(0, 2));
      await one.stop();
      await expect(two.submit(owned(workload).slice(2, 4))).resolves.toHaveLength(2);
      expect(pool.stats()).toMatchObject({ workers: 2, items: 4 });
      expect(two.verificationStats()?.pool?.items).toBe(4);
    } finally {
      await two.stop();
      await pool.close();
    }
  });

  it('replaces a worker that dies mid-batch and verifies the batch again: every certificate accepted once, a forgery still refused', async () => {
    const crashing = crashingWorker(1);
    const workload = generateWorkload({ seed: 27, transactions: 24, accounts: 24, contention: 0 });
    const certificates = owned(workload);
    const pipeline = await start(workload, { verification: { workers: 2, workerScript: crashing.script } });
    try {
      const results = await pipeline.submit(certificates);
      expect(crashing.left()).toBe(0);
      expect(results).toHaveLength(certificates.length);
      expect(results.every((r) => r === 'ready' || r === 'pending')).toBe(true);
      expect(pipeline.verificationStats()?.pool).toMatchObject({ crashes: 1, workers: 2 });
      await expect(pipeline.submit([forge(certificates[0] as CertifiedTransaction)])).rejects.toMatchObject({ problem: 'invalid-signature' });
    } finally {
      await pipeline.stop();
    }
  });

  it.each(['drain', 'abort'] as const)('stop (%s) refuses a call still being verified and every later one; the worker threads are gone', async (mode) => {
    const workload = generateWorkload({ seed: 28, transactions: 20, accounts: 20, contention: 0 });
    const certificates = owned(workload);
    const pipeline = await start(workload, { verification: { workers: 2 } });
    await pipeline.submit(certificates.slice(0, 1)); // the pool is up
    const during = pipeline.submit(certificates.slice(1));
    const stopped = pipeline.stop({ mode });
    await expect(during).rejects.toBeInstanceOf(PipelineStoppedError);
    await expect(pipeline.submit(certificates.slice(1, 2))).rejects.toBeInstanceOf(PipelineStoppedError);
    await expect(pipeline.commit({ digest: 'c0', index: 0, certificates: [] })).rejects.toBeInstanceOf(PipelineStoppedError);
    await stopped;
    expect(pipeline.verificationStats()?.pool?.workers).toBe(0);
  });
});

describe('the process exits once the pipeline has stopped: no worker thread is left', () => {
  const program = path.join(__dirname, 'programs/verify-then-stop.ts');
  it.each(['drain', 'abort', 'failed-start'])('%s', (mode) => {
    const child = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), program, mode], { encoding: 'utf8', timeout: 45_000 });
    expect(child.error).toBeUndefined(); // ETIMEDOUT: a thread kept it alive
    expect(child.stderr).toBe('');
    expect(child.stdout.trim().split('\n')).toEqual(mode === 'failed-start' ? ['submit refused: PipelineStoppedError', 'start failed: injected recovery failure'] : ['verified 3', `stopped (${mode})`]);
    expect(child.status).toBe(0);
  });
});
