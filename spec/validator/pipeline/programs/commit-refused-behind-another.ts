/*
 * A commit refused at the door (a malformed certificate) while the commit
 * before it is still being verified, in a process with Node's default
 * handling of unhandled rejections (which ends it): the caller handles the
 * refusal, and nothing else may be left unhandled. Prints what each commit
 * got, then `survived`.
 */
import { startValidatorPipeline } from '../../../../lib/validator/pipeline/validator-pipeline';
import { generateWorkload } from '../../../../lib/validator/workload/workload';
import { silentLogger } from '../../../support/silent-logger';

async function main(): Promise<void> {
  const workload = generateWorkload({ seed: 23, transactions: 10, accounts: 6, contention: 1 });
  const shared = workload.steps.filter((s) => s.shared).map((s) => s.certificate);
  const pipeline = await startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis, logger: silentLogger, verification: { workers: 1 } });
  const first = pipeline.commit({ digest: 'c0', index: 0, certificates: shared.slice(0, 2) });
  const second = pipeline.commit({ digest: 'c1', index: 1, certificates: [{ not: 'a certificate' }] });
  console.log(`commit 0: ${await first.then((r) => r.join(','), (e: unknown) => (e as Error).name)}`);
  console.log(`commit 1: ${await second.then((r) => r.join(','), (e: unknown) => `${(e as Error).name} ${String((e as { problem?: string }).problem)}`)}`);
  await pipeline.stop();
  console.log('survived');
}

void main();
