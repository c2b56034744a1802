import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidOptionError } from '../../../lib';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { genesisObject } from '../../../lib/validator/execution/genesis';
import type { StoredObject } from '../../../lib/validator/model/objects';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { silentLogger } from '../../support/silent-logger';

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const ALICE = id(0xa1);
const { committee } = generateCommittee(0, [1, 1, 1, 1]);
const coin = genesisObject(id(1), { kind: 'address', address: ALICE }, { type: 'coin', balance: 100n });
const counter = genesisObject(id(2), { kind: 'shared', initialSharedVersion: 1 }, { type: 'counter', value: 0n });

async function refusal(genesis: unknown): Promise<InvalidOptionError> {
  try {
    const pipeline = await startValidatorPipeline({ committee, genesis: genesis as StoredObject[], verifySignatures: false, logger: silentLogger });
    await pipeline.stop();
  } catch (error) {
    if (error instanceof InvalidOptionError) return error;
    throw error;
  }
  throw new Error('the genesis was accepted');
}

describe('startValidatorPipeline checks its genesis', () => {
  it.each([
    ['not an array', null, 'genesis'],
    ['an item that is not an object', [coin, 7], 'genesis[1]'],
    ['an id in upper case (decoded transactions name objects in lower case)', [genesisObject(id(0xab).replace('ab', 'AB'), coin.owner, coin.contents)], 'genesis[0].id'],
    ['an id that is not 32 bytes', [{ ...coin, id: '0x01' }], 'genesis[0].id'],
    ['the same id twice', [coin, genesisObject(coin.id, coin.owner, { type: 'coin', balance: 5n })], 'genesis[1].id'],
    ['version 0', [{ ...coin, version: 0 }], 'genesis[0].version'],
    ['a version that is not a safe integer', [{ ...coin, version: 2 ** 53 }], 'genesis[0].version'],
    ['an owner of no known kind', [{ ...coin, owner: { kind: 'object', parent: ALICE } }], 'genesis[0].owner'],
    ['an owner address that is not an id', [{ ...coin, owner: { kind: 'address', address: 'alice' } }], 'genesis[0].owner.address'],
    ['shared from a version after its own', [{ ...counter, owner: { kind: 'shared', initialSharedVersion: 2 } }], 'genesis[0].owner.initialSharedVersion'],
    ['a negative balance', [genesisObject(coin.id, coin.owner, { type: 'coin', balance: -1n })], 'genesis[0].contents.balance'],
    ['a balance past u64', [genesisObject(coin.id, coin.owner, { type: 'coin', balance: 1n << 64n })], 'genesis[0].contents.balance'],
    ['a balance that is a number', [{ ...coin, contents: { type: 'coin', balance: 100 } }], 'genesis[0].contents.balance'],
    ['contents of no known type', [{ ...coin, contents: { type: 'nft', uri: 'x' } }], 'genesis[0].contents'],
    ['a previous transaction that is not a digest', [{ ...coin, previousTransaction: 'genesis' }], 'genesis[0].previousTransaction'],
    ['a digest that is not its own', [{ ...coin, digest: counter.digest }], 'genesis[0].digest'],
    ['contents changed after the digest was taken', [{ ...coin, contents: { type: 'coin', balance: 1_000_000n } }], 'genesis[0].digest'],
  ])('refuses %s, naming it', async (_, genesis, option) => {
    const error = await refusal(genesis);
    expect(error.option).toBe(option);
  });

  it('opens no database for a genesis it refuses', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'soma-genesis-'));
    try {
      const database = join(folder, 'validator.mdb');
      await expect(startValidatorPipeline({ committee, genesis: [{ ...coin, digest: counter.digest }], database, verifySignatures: false, logger: silentLogger })).rejects.toBeInstanceOf(
        InvalidOptionError,
      );
      expect(existsSync(database)).toBe(false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('writes what it checked: a change to the given objects afterwards changes nothing', async () => {
    const given = { ...coin, contents: { ...coin.contents } };
    const pipeline = await startValidatorPipeline({ committee, genesis: [given, counter], verifySignatures: false, logger: silentLogger });
    (given.contents as { balance: bigint }).balance = 7n;
    const [stored] = await pipeline.state.store.readLatest([coin.id]);
    expect(stored).toEqual(coin);
    await pipeline.stop();
  });
});
