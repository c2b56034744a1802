import { InvalidOptionError } from '../../../lib';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { ReferenceAuthorityState } from '../../../lib/validator/execution/reference-authority-state';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { silentLogger } from '../../support/silent-logger';

const { committee } = generateCommittee(0, [1, 1, 1, 1]);

describe('startValidatorPipeline: what createState returns is checked', () => {
  it.each([
    ['a number', () => 42, 'createState'],
    ['an empty object', () => ({}), 'loadEpochStoreOneCallPerTask is missing'],
    ['a promise of a state', (store: never) => Promise.resolve(new ReferenceAuthorityState(store, committee)), 'createState'],
    ['a state without its committed$ stream', (store: never) => Object.assign(Object.create(new ReferenceAuthorityState(store, committee)) as object, { committed$: [] }), 'committed$ is not an Observable'],
  ])('refuses %s with an InvalidOptionError naming the option', async (_, createState, detail) => {
    const started = startValidatorPipeline({ committee, genesis: [], logger: silentLogger, verifySignatures: false, createState: createState as never });
    await expect(started).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(started).rejects.toMatchObject({ option: 'createState' });
    await expect(started).rejects.toThrow(detail);
  });

  it('takes a state that is one', async () => {
    const pipeline = await startValidatorPipeline({ committee, genesis: [], logger: silentLogger, verifySignatures: false, createState: (store, c) => new ReferenceAuthorityState(store, c) });
    await pipeline.stop();
  });
});
