import { InvalidOptionError } from '../../../lib/errors';
import { PipelineStoppedError } from '../../../lib/validator/errors';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { generateWorkload } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';

const workload = generateWorkload({ seed: 3, transactions: 8, accounts: 4, contention: 0, sign: false });
const owned = workload.steps.filter((s) => !s.shared).map((s) => s.certificate);
const start = () => startValidatorPipeline({ committee: workload.committee, genesis: workload.genesis, logger: silentLogger, verifySignatures: false });

describe("the pipeline's driver handle", () => {
  it('stopping it stops the pipeline: later calls are refused, and what the manager held is handed back', async () => {
    const pipeline = await start();
    pipeline.driver.pause();
    await expect(pipeline.submit(owned.slice(0, 2))).resolves.toEqual(['ready', 'ready']);
    const summary = await pipeline.driver.stop();
    // The pipeline's summary: the driver's backlog and what the manager held, nothing lost.
    expect('heldByManager' in summary).toBe(true);
    expect(summary.unstarted.length + (summary as unknown as { heldByManager: unknown[] }).heldByManager.length).toBe(2);
    await expect(pipeline.submit(owned.slice(2, 3))).rejects.toBeInstanceOf(PipelineStoppedError);
    await expect(pipeline.commit({ digest: 'c0', index: 0, certificates: [] })).rejects.toBeInstanceOf(PipelineStoppedError);
    await expect(pipeline.stop()).resolves.toBe(await pipeline.stop());
  });

  it('keeps the driver live otherwise: its gauges and controls act on the pipeline', async () => {
    const pipeline = await start();
    pipeline.driver.setMaxConcurrentExecutions(3);
    expect(pipeline.driver.maxConcurrentExecutions).toBe(3);
    pipeline.driver.pause();
    expect(pipeline.driver.paused).toBe(true);
    await pipeline.submit(owned.slice(0, 1));
    expect(pipeline.driver.backlogSize).toBe(1);
    pipeline.driver.resume();
    const summary = await pipeline.stop();
    expect(summary.executed).toBe(1);
  });

  it('refuses a bad stop mode at once, as the driver does, and stops nothing', async () => {
    const pipeline = await start();
    expect(() => pipeline.driver.stop({ mode: 'later' as never })).toThrow(InvalidOptionError);
    await expect(pipeline.submit(owned.slice(0, 1))).resolves.toEqual(['ready']);
    await pipeline.stop();
  });
});
