import { createHash } from 'node:crypto';
import { type AuthorityKey, deriveAuthorityKey } from '../bls/authority-key';
import { InvalidCommitteeError } from '../errors';
import { Committee } from './committee';

/** A committee member able to sign: its index in the committee (its bit in signer bitmaps) and its key. */
export interface CommitteeSigner {
  readonly name: string;
  readonly index: number;
  readonly key: AuthorityKey;
}

/** A committee together with every member's secret key: for simulators, demos and tests. */
export interface GeneratedCommittee {
  readonly committee: Committee;
  readonly signers: readonly CommitteeSigner[];
}

const DERIVATION_SCOPE = 'soma/generated-committee/v1';

/**
 * A committee of BLS12-381 keys derived from `seed`, one validator per
 * stake, named `validator-0`, `validator-1`, … Deterministic: the same seed,
 * epoch and member index always give the same key, and another seed or
 * epoch gives unrelated keys (each key's input is SHA-256 of the scope, the
 * seed, the epoch and the index). Each member proves possession of its key,
 * and the committee checks every proof as it is built.
 * @throws InvalidCommitteeError for a seed that is not a safe integer, or as `Committee` does.
 */
export function generateCommittee(epoch: number, stakes: readonly number[], seed = 0): GeneratedCommittee {
  if (!Number.isSafeInteger(seed)) throw new InvalidCommitteeError(`a committee seed is an integer, got ${seed}`);
  const signers = stakes.map((_, index): CommitteeSigner => ({ name: `validator-${index}`, index, key: deriveAuthorityKey(keyMaterial(seed, epoch, index)) }));
  const validators = signers.map(({ name, key }, index) => ({ name, stake: stakes[index] as number, publicKey: key.publicKey, proofOfPossession: key.proofOfPossession }));
  return { committee: new Committee(epoch, validators), signers };
}

function keyMaterial(seed: number, epoch: number, index: number): Uint8Array {
  return createHash('sha256').update(`${DERIVATION_SCOPE}/${seed}/${epoch}/${index}`).digest();
}
