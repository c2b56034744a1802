import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidOptionError as DriverInvalidOptionError } from '../../../lib/errors';
import { InvalidOptionError } from '../../../lib/validator';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { type AdmissionLimits, DEFAULT_ADMISSION_LIMITS, TransactionManager } from '../../../lib/validator/manager/transaction-manager';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { silentLogger } from '../../support/silent-logger';
import { setup } from '../fixtures';

const COUNTS = ['maxPendingAndExecuting', 'maxPerObjectQueue', 'maxAwaitingCreation', 'maxPastLimit'] as const;
const AGES = ['maxQueueAgeMs', 'maxAwaitingCreationAgeMs', 'maxPastLimitAgeMs'] as const;

function refusal(build: () => unknown): InvalidOptionError {
  try {
    build();
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('TransactionManager: admission limits are checked when it is built', () => {
  it('the validator exports the driver’s InvalidOptionError', () => {
    expect(InvalidOptionError).toBe(DriverInvalidOptionError);
  });

  it.each(COUNTS.flatMap((name) => [0, -5, 1.5, Number.NaN, Number.NEGATIVE_INFINITY, '3', null].map((value) => [name, value] as const)))(
    'refuses %s = %p: a count is an integer >= 1, or Infinity',
    async (name, value) => {
      const { state } = await setup();
      const error = refusal(() => new TransactionManager(state, { limits: { [name]: value } as unknown as AdmissionLimits }));
      expect(error.option).toBe(`limits.${name}`);
      expect(error.value).toBe(value);
      expect(error.message).toContain('an integer >= 1');
    },
  );

  it.each(AGES.flatMap((name) => [-1, Number.NaN, Number.NEGATIVE_INFINITY, '10', true].map((value) => [name, value] as const)))(
    'refuses %s = %p: an age is a number of ms >= 0, or Infinity',
    async (name, value) => {
      const { state } = await setup();
      const error = refusal(() => new TransactionManager(state, { limits: { [name]: value } as unknown as AdmissionLimits }));
      expect(error.option).toBe(`limits.${name}`);
      expect(error.message).toContain('milliseconds >= 0');
    },
  );

  it.each([null, 5, 'all', [1]])('refuses limits = %p (not an object)', async (limits) => {
    const { state } = await setup();
    expect(refusal(() => new TransactionManager(state, { limits: limits as unknown as AdmissionLimits })).option).toBe('limits');
  });

  it('takes Infinity as no limit for every limit, and 0 ms for an age', async () => {
    const { state } = await setup();
    const unbounded = Object.fromEntries([...COUNTS, ...AGES].map((name) => [name, Number.POSITIVE_INFINITY]));
    expect(new TransactionManager(state, { limits: unbounded }).admissionLimits).toEqual(unbounded);
    const immediate = Object.fromEntries(AGES.map((name) => [name, 0]));
    expect(new TransactionManager(state, { limits: immediate }).admissionLimits).toEqual({ ...DEFAULT_ADMISSION_LIMITS, ...immediate });
  });

  it('a limit set to undefined takes its default (never "no limit")', async () => {
    const { state } = await setup();
    const limits = Object.fromEntries([...COUNTS, ...AGES].map((name) => [name, undefined]));
    expect(new TransactionManager(state, { limits }).admissionLimits).toEqual(DEFAULT_ADMISSION_LIMITS);
    expect(new TransactionManager(state, { limits: { maxPastLimit: undefined, maxPendingAndExecuting: 1 } as unknown as AdmissionLimits }).admissionLimits).toEqual({
      ...DEFAULT_ADMISSION_LIMITS,
      maxPendingAndExecuting: 1,
    });
  });
});

describe('TransactionManager: a limit name that is no limit', () => {
  it('is refused, naming it and the limits there are (a misspelling left the default in force)', async () => {
    const { state } = await setup();
    const error = refusal(() => new TransactionManager(state, { limits: { maxPendingAndExecuting: 5, maxPerObjectQueu: 1 } as unknown as AdmissionLimits }));
    expect(error.option).toBe('limits.maxPerObjectQueu');
    expect(error.message).toContain('maxPerObjectQueue');
  });
});

describe('startValidatorPipeline: admission limits are checked before anything opens', () => {
  it('refuses a bad limit with InvalidOptionError and creates no database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'limits-'));
    try {
      const path = join(dir, 'db.mdb');
      const { committee } = generateCommittee(0, [1, 1, 1, 1]);
      const started = startValidatorPipeline({ committee, genesis: [], logger: silentLogger, verifySignatures: false, database: path, limits: { maxPendingAndExecuting: Number.NaN } });
      await expect(started).rejects.toThrow(InvalidOptionError);
      await expect(started).rejects.toMatchObject({ option: 'limits.maxPendingAndExecuting' });
      expect(existsSync(path)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('startValidatorPipeline: age limits past the timer bound', () => {
  it('sweeps at most every MAX_DELAY_MS: with age limits of 10^10 ms it does not sweep every millisecond (Node clamps a longer period to 1 ms)', async () => {
    const { committee } = generateCommittee(0, [1, 1, 1, 1]);
    const pipeline = await startValidatorPipeline({ committee, genesis: [], logger: silentLogger, verifySignatures: false, limits: { maxAwaitingCreationAgeMs: 1e10, maxPastLimitAgeMs: 1e10 } });
    let sweeps = 0;
    const expire = pipeline.manager.expireAged.bind(pipeline.manager);
    pipeline.manager.expireAged = () => {
      sweeps++;
      return expire();
    };
    await new Promise((resolve) => setTimeout(resolve, 30));
    await pipeline.stop();
    expect(sweeps).toBe(0);
  });
});
