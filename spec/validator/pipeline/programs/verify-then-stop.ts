// Run as a child process by pipeline-verification.spec.ts: a pipeline verifies
// certificates on its own worker pool, then stops as `process.argv[2]` says
// (drain, abort), or its start fails after a submit started the pool
// (failed-start). The process must then exit by itself: a worker thread left
// running would keep it alive.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import winston from 'winston';
import { LmdbObjectStore } from '../../../../lib/validator/storage/lmdb-object-store';
import { startValidatorPipeline } from '../../../../lib/validator/pipeline/validator-pipeline';
import { generateWorkload } from '../../../../lib/validator/workload/workload';

const mode = process.argv[2];
const logger = winston.createLogger({ silent: true });
const workload = generateWorkload({ seed: 29, transactions: 3, accounts: 3, contention: 0 });
const certificates = workload.steps.map((s) => s.certificate);

async function main(): Promise<void> {
  if (mode === 'failed-start') {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-then-stop-'));
    const store = LmdbObjectStore.open({ path: path.join(directory, 'db') });
    store.epochTables.pendingCertificates = () => {
      throw new Error('injected recovery failure');
    };
    let submitted: Promise<void> | undefined;
    try {
      await startValidatorPipeline({
        committee: workload.committee,
        genesis: workload.genesis,
        database: store,
        logger,
        verification: { workers: 2 },
        // Before the recovery fails: this call starts the pool's threads.
        onWired: (pipeline) => {
          submitted = pipeline.submit(certificates).then(
            () => console.log('submit accepted'),
            (refusal: unknown) => console.log(`submit refused: ${(refusal as Error).name}`),
          );
        },
      });
    } catch (error) {
      await submitted;
      console.log(`start failed: ${(error as Error).message}`);
    }
    await store.close();
    fs.rmSync(directory, { recursive: true, force: true });
    return;
  }
  const pipeline = await startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis, logger, verification: { workers: 2 } });
  const results = await pipeline.submit(certificates);
  console.log(`verified ${results.length}`);
  await pipeline.stop({ mode: mode === 'abort' ? 'abort' : 'drain' });
  console.log(`stopped (${mode})`);
}

void main();
