import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import type { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { WorkloadGenerator } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { temporaryDatabase } from '../storage/temporary-database';

/** Held certificates must stay held: no age limit hands them back during the test. */
const limits = { maxQueueAgeMs: 60_000, maxAwaitingCreationAgeMs: 60_000 };

describe('a crash inside a durable reconfiguration', () => {
  it('hands back, at the restart, the old epoch’s certificates whose hand-back had not left the disk', async () => {
    const generator = new WorkloadGenerator({ seed: 8, accounts: 2, sign: false });
    const owned = generator
      .next(12)
      .filter((step) => !step.shared)
      .map((step) => step.certificate);
    const path = await temporaryDatabase();
    const start = () => startValidatorPipeline({ committee: generator.committee, genesis: generator.genesis, database: path, logger: silentLogger, verifySignatures: false, limits });
    const first = await start();
    // Later payments without the first ones: they wait in the manager for coins not made yet, pending on disk.
    await first.submit(owned.slice(1).reverse());
    const held = first.manager.counts.pending;
    expect(held).toBeGreaterThan(0);
    // The crash comes after the new epoch is recorded and before the hand-back's removal lands: it never does.
    const tables = (first.database as LmdbObjectStore).epochTables;
    tables.forget = () => Promise.resolve();
    const handedBack = await first.reconfigure(generateCommittee(1, [1, 1, 1, 1], 21).committee);
    expect(handedBack).toHaveLength(held);
    await first.stop();

    const second = await start();
    expect(second.recovered?.epoch).toBe(1);
    // Neither lost nor re-enqueued (they can never execute in epoch 1): handed back again, and gone from the disk.
    expect(second.recovered?.handedBack.map((c) => c.digest).sort()).toEqual(handedBack.map((c) => c.digest).sort());
    expect(second.recovered?.reenqueued).toBe(0);
    expect(second.database?.epochTables.pendingCount()).toBe(0);
    await second.stop();
    const third = await start();
    expect(third.recovered?.handedBack).toEqual([]);
    await third.stop();
  }, 30_000);
});
