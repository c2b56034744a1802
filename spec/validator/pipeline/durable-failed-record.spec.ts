import { firstValueFrom, filter } from 'rxjs';
import type { FailedOutcome } from '../../../lib';
import { certifyTransaction } from '../../../lib/validator/certificates/certified-transaction';
import { InputSpentError } from '../../../lib/validator/errors';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import type { LmdbObjectStore } from '../../../lib/validator/storage/lmdb-object-store';
import { WorkloadGenerator } from '../../../lib/validator/workload/workload';
import { silentLogger } from '../../support/silent-logger';
import { temporaryDatabase } from '../storage/temporary-database';

describe('a durable certificate that can never execute', () => {
  it('is forgotten on disk once it fails, so no restart runs it again (an owned input spent by its twin)', async () => {
    const generator = new WorkloadGenerator({ seed: 12, accounts: 4, sign: false });
    const step = generator.next(10).find((s) => !s.shared);
    if (!step) throw new Error('the workload has no owned transaction');
    const data = step.certificate.data;
    // A client's equivocation, both certified: the same owned versions, another budget.
    const twin = certifyTransaction({ ...data, gas: { ...data.gas, budget: data.gas.budget + 7n } }, generator.committee, generator.signers.slice(0, 3));
    const path = await temporaryDatabase();
    const start = () => startValidatorPipeline({ committee: generator.committee, genesis: generator.genesis, database: path, logger: silentLogger, verifySignatures: false });
    const first = await start();
    const executed = firstValueFrom(first.outcomes$.pipe(filter((o) => o.digest === step.certificate.digest)));
    await first.submit([step.certificate]);
    expect((await executed).kind).toBe('executed');
    const failed = firstValueFrom(first.outcomes$.pipe(filter((o) => o.digest === twin.digest)));
    expect(await first.submit([twin])).toEqual(['ready']);
    const outcome = (await failed) as FailedOutcome;
    expect(outcome.kind).toBe('failed');
    expect(outcome.error).toBeInstanceOf(InputSpentError);
    const tables = (first.database as LmdbObjectStore).epochTables;
    for (let i = 0; i < 200 && tables.pendingCount() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(tables.pendingCount()).toBe(0);
    await first.stop();

    const second = await start();
    const outcomes: string[] = [];
    second.outcomes$.subscribe((o) => outcomes.push(o.digest));
    expect(second.recovered?.reenqueued).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(outcomes).toEqual([]);
    await second.stop();
  }, 30_000);
});
