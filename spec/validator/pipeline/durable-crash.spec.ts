import { runCrashHarness } from '../../../bench/crash/crash-harness';

/**
 * The kill -9 harness at CI size (npm run soak:crash runs 100 kills): a
 * child process runs the durable pipeline and is SIGKILLed at least 20 times
 * (bench/crash/crash-harness.ts says how and when), and every acknowledgement
 * and the final state are checked against the database.
 */
describe('the durable pipeline under kill -9', () => {
  it('loses nothing acknowledged and executes nothing twice over 20 SIGKILLs, and ends in the sequential state', async () => {
    const report = await runCrashHarness({ kills: 20, plan: { seed: 14, transactions: 400 } });
    expect(report.violations).toEqual([]);
    expect(report.finished).toBe(true);
    expect(report.kills).toBeGreaterThanOrEqual(20);
    // Every kind of moment was hit, and restarts had work to recover.
    expect(report.ends.recovery).toBeGreaterThan(0);
    expect(report.ends.commits).toBeGreaterThan(0);
    expect(report.ends['between-commits']).toBeGreaterThan(0);
    expect(report.ends['inside-write']).toBeGreaterThan(0);
    expect(Math.max(...report.recoveries.map((r) => r.reenqueued))).toBeGreaterThan(0);
    expect(report.recoveries.some((r) => r.lastCommitIndex !== undefined)).toBe(true);
  }, 180_000);

  it('keeps everything acknowledged through a simulated power loss at every death (unsynced writes undone)', async () => {
    const report = await runCrashHarness({ kills: 8, plan: { seed: 16, transactions: 300 }, powerLoss: true });
    expect(report.violations).toEqual([]);
    expect(report.finished).toBe(true);
    expect(report.kills).toBeGreaterThanOrEqual(8);
    // Some deaths came inside a sync, so some writes were lost: the check had something to survive.
    expect(report.ends['during-sync']).toBeGreaterThan(0);
    expect(report.powerLoss?.undoneWrites).toBeGreaterThan(0);
  }, 120_000);

  it('catches, under a power loss, a store that does not wait for the disk (sync: false)', async () => {
    const report = await runCrashHarness({ kills: 3, plan: { seed: 16, transactions: 300 }, powerLoss: true, fault: 'no-sync' });
    expect(report.violations.join('\n')).toMatch(/executed outcomes reported and not on disk|accepted certificates neither pending nor executed/);
  }, 60_000);

  it('catches a store that acknowledges commits before writing them', async () => {
    const report = await runCrashHarness({ kills: 3, plan: { seed: 15, transactions: 200 }, ends: ['commits'], fault: 'ack-before-write', stallMs: 5_000 });
    expect(report.violations.join('\n')).toMatch(/executed outcomes reported and not on disk/);
  }, 60_000);
});
