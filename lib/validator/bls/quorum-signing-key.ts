import { SecretKey } from '@chainsafe/blst';
import type { AuthorityKey } from './authority-key';

/** The order of BLS12-381's groups: secret keys are scalars modulo it. */
const GROUP_ORDER = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001n;

/**
 * One secret key whose signature on a message equals the aggregate of every
 * key's signature on it: signing is linear, so sum(sk_i · H(m)) = (sum sk_i) · H(m),
 * and the compressed encoding of that point is the same bytes `signQuorum`
 * produces (a spec checks it). A committee simulator (tests, workloads,
 * benchmarks) then signs a certificate once instead of once per signer. A
 * real committee cannot do this: no one holds the others' keys.
 * @throws Error from blst in the negligible case that the keys sum to zero.
 */
export function quorumSigningKey(keys: readonly AuthorityKey[]): SecretKey {
  let sum = 0n;
  for (const { secretKey } of keys) sum = (sum + BigInt(`0x${Buffer.from(secretKey.toBytes()).toString('hex')}`)) % GROUP_ORDER;
  return SecretKey.fromBytes(Buffer.from(sum.toString(16).padStart(64, '0'), 'hex'));
}
