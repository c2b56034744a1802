import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import type { CertifiedTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { WorkloadGenerator } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { until } from '../resubmitting-client';
import { temporaryDatabase } from '../storage/temporary-database';

/** Held certificates must stay held: no age limit hands them back during the test. */
const limits = { maxQueueAgeMs: 60_000, maxAwaitingCreationAgeMs: 60_000 };

/** Each sender's first payment (independent of each other: all ready at once) and second (waits for the first's outputs). */
function payments() {
  const generator = new WorkloadGenerator({ seed: 9, accounts: 6, sign: false });
  const owned = generator
    .next(60)
    .filter((step) => !step.shared)
    .map((step) => step.certificate);
  const bySender = new Map<string, CertifiedTransaction[]>();
  for (const certificate of owned) bySender.set(certificate.data.sender, [...(bySender.get(certificate.data.sender) ?? []), certificate]);
  const senders = [...bySender.values()].filter((list) => list.length >= 2);
  return { generator, firsts: senders.map((list) => list[0] as CertifiedTransaction), seconds: senders.map((list) => list[1] as CertifiedTransaction) };
}

const digests = (certificates: readonly { digest: string }[]) => certificates.map(({ digest }) => digest);

describe('reconfigure hands back every old-epoch certificate the pipeline holds and has not started', () => {
  it('pending in the manager, then released to the driver and waiting for a slot: none of them ends skipped wrong-epoch', async () => {
    const { generator, firsts, seconds } = payments();
    const pipeline = await startValidatorPipeline({ committee: generator.committee, genesis: generator.genesis, logger: silentLogger, verifySignatures: false, limits, maxConcurrentExecutions: 1 });
    const outcomes: string[] = [];
    pipeline.outcomes$.subscribe((outcome) => outcomes.push(`${outcome.kind}:${outcome.digest}`));
    expect(firsts.length).toBeGreaterThan(2);
    pipeline.driver.pause();
    expect(await pipeline.submit(firsts)).toEqual(firsts.map(() => 'ready'));
    expect(await pipeline.submit(seconds)).toEqual(seconds.map(() => 'pending'));
    expect(pipeline.driver.backlogSize).toBe(firsts.length);
    const handedBack = await pipeline.reconfigure(generateCommittee(1, [1, 1, 1, 1], 9).committee);
    expect(digests(handedBack)).toEqual([...digests(seconds), ...digests(firsts)]);
    expect(pipeline.driver.backlogSize).toBe(0);
    expect(pipeline.manager.counts).toMatchObject({ pending: 0, executing: 0 });
    pipeline.driver.resume();
    expect(pipeline.driver.inFlight).toBe(0);
    const summary = await pipeline.stop();
    expect(outcomes).toEqual([]);
    expect(summary.skipped['wrong-epoch']).toBe(0);
    expect(summary.unstarted).toEqual([]);
    expect(summary.heldByManager).toEqual([]);
  });

  it('with the driver running: the one in flight finishes in the old epoch, the backlog is handed back, and nothing ends failed or skipped', async () => {
    const { generator, firsts } = payments();
    const pipeline = await startValidatorPipeline({ committee: generator.committee, genesis: generator.genesis, logger: silentLogger, verifySignatures: false, limits, maxConcurrentExecutions: 1 });
    const outcomes: string[] = [];
    pipeline.outcomes$.subscribe((outcome) => outcomes.push(`${outcome.kind}:${outcome.digest}`));
    expect(await pipeline.submit(firsts)).toEqual(firsts.map(() => 'ready'));
    // One runs (the limit is 1) and the rest wait for a slot; the state waits for the one running before it switches.
    const waiting = pipeline.driver.backlogSize;
    expect(waiting).toBeGreaterThan(0);
    const handedBack = await pipeline.reconfigure(generateCommittee(1, [1, 1, 1, 1], 9).committee);
    await until(
      () => pipeline.driver.inFlight === 0,
      () => `in flight ${pipeline.driver.inFlight}`,
    );
    // Before, a slot freed during the switch started the next of the old epoch: it failed (EpochEndedError) or was skipped.
    expect(outcomes.every((outcome) => outcome.startsWith('executed:'))).toBe(true);
    expect(handedBack).toHaveLength(waiting);
    expect(outcomes.length + handedBack.length).toBe(firsts.length);
    expect(pipeline.driver.paused).toBe(false); // resumed after the switch
    const summary = await pipeline.stop();
    expect(summary.unstarted).toEqual([]);
    expect(summary.heldByManager).toEqual([]);
  });

  it("never resumes a driver its user paused during the switch, and a user's resume then waits for the switch to end", async () => {
    const { generator, firsts } = payments();
    const pipeline = await startValidatorPipeline({ committee: generator.committee, genesis: generator.genesis, logger: silentLogger, verifySignatures: false, limits, maxConcurrentExecutions: 1 });
    await pipeline.submit(firsts);
    const switching = pipeline.reconfigure(generateCommittee(1, [1, 1, 1, 1], 9).committee);
    pipeline.driver.pause(); // the user's, while the state waits for the one in flight
    await switching;
    expect(pipeline.driver.paused).toBe(true);
    const again = pipeline.reconfigure(generateCommittee(2, [1, 1, 1, 1], 9).committee);
    pipeline.driver.resume(); // during the second switch: it takes effect when the switch ends
    expect(pipeline.driver.paused).toBe(true);
    await again;
    expect(pipeline.driver.paused).toBe(false);
    await pipeline.stop();
  });

  it('durable: their pending records are forgotten with the hand-back, so a restart has nothing of them', async () => {
    const { generator, firsts, seconds } = payments();
    const path = await temporaryDatabase();
    const start = (committee = generator.committee) => startValidatorPipeline({ committee, genesis: generator.genesis, database: path, logger: silentLogger, verifySignatures: false, limits, maxConcurrentExecutions: 1 });
    const first = await start();
    first.driver.pause();
    await first.submit(firsts);
    await first.submit(seconds);
    expect(first.database?.epochTables.pendingCount()).toBe(firsts.length + seconds.length);
    const next = generateCommittee(1, [1, 1, 1, 1], 9).committee;
    expect(await first.reconfigure(next)).toHaveLength(firsts.length + seconds.length);
    await until(() => first.database?.epochTables.pendingCount() === 0, () => `${first.database?.epochTables.pendingCount()} pending on disk`);
    await first.stop();
    const second = await start(next);
    expect(second.recovered).toMatchObject({ epoch: 1, reenqueued: 0, handedBack: [] });
    await second.stop();
  }, 30_000);

  it('what the pipeline driver’s withdraw takes back, the manager lets go: submitted again, it runs', async () => {
    const { generator, firsts } = payments();
    const pipeline = await startValidatorPipeline({ committee: generator.committee, genesis: generator.genesis, logger: silentLogger, verifySignatures: false, limits });
    const executed = new Set<string>();
    pipeline.state.committed$.subscribe(({ certificate }) => executed.add(certificate.digest));
    const [payment] = firsts as [CertifiedTransaction];
    pipeline.driver.pause();
    expect(await pipeline.submit([payment])).toEqual(['ready']);
    expect(digests(pipeline.driver.withdraw(() => true).map(({ certificate }) => certificate))).toEqual([payment.digest]);
    expect(pipeline.manager.counts.executing).toBe(0);
    expect(await pipeline.submit([payment])).toEqual(['ready']);
    pipeline.driver.resume();
    await until(() => executed.has(payment.digest), () => JSON.stringify(pipeline.manager.counts));
    await pipeline.stop();
  });
});
