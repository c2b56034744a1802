import { InvalidOptionError } from '../../errors';
import { objectDigest } from '../model/fast-object-encoding';
import { isCanonicalHex32 } from '../model/hex32';
import type { ObjectContents, Owner, StoredObject } from '../model/objects';

const U64_LIMIT = 1n << 64n;

/**
 * The genesis objects, checked field by field and copied: each id the one
 * spelling of 32 bytes (`0x` and 64 lower-case hex digits, as decoded
 * transactions name objects) and no id twice; a version a safe integer
 * >= 1; an owner of a known kind (an address, shared from a version no later
 * than the object's, immutable); a coin's balance or a counter's value a u64
 * bigint; and a digest that is the object's own. Copied, so that nothing the
 * caller holds (a getter, a later change) alters what the store writes.
 * @throws InvalidOptionError naming the object and field (`genesis[3].digest`).
 */
export function checkedGenesis(genesis: unknown): StoredObject[] {
  if (!Array.isArray(genesis)) throw new InvalidOptionError('genesis', genesis, 'an array of genesis objects');
  const ids = new Set<string>();
  return genesis.map((given: unknown, i) => {
    const where = `genesis[${i}]`;
    const object = checkedObject(given, where);
    if (ids.has(object.id)) throw new InvalidOptionError(`${where}.id`, object.id, 'an id no other genesis object has');
    ids.add(object.id);
    return object;
  });
}

function checkedObject(given: unknown, where: string): StoredObject {
  if (typeof given !== 'object' || given === null) throw new InvalidOptionError(where, given, 'an object (id, version, owner, contents, previousTransaction, digest)');
  const { id, version, owner, contents, previousTransaction, digest } = given as Partial<Record<keyof StoredObject, unknown>>;
  if (!isCanonicalHex32(id)) throw new InvalidOptionError(`${where}.id`, id, '0x and 64 lower-case hex digits');
  if (!isVersion(version)) throw new InvalidOptionError(`${where}.version`, version, 'a safe integer >= 1');
  const body = {
    id,
    version,
    owner: checkedOwner(owner, version, `${where}.owner`),
    contents: checkedContents(contents, `${where}.contents`),
    previousTransaction: checkedDigest(previousTransaction, `${where}.previousTransaction`),
  };
  const own = objectDigest(body);
  if (digest !== own) throw new InvalidOptionError(`${where}.digest`, digest, `the object's own digest, ${own}`);
  return Object.freeze({ ...body, digest: own });
}

function checkedOwner(owner: unknown, version: number, where: string): Owner {
  const kind = typeof owner === 'object' && owner !== null ? (owner as { kind?: unknown }).kind : undefined;
  if (kind === 'address') {
    const { address } = owner as { address?: unknown };
    if (!isCanonicalHex32(address)) throw new InvalidOptionError(`${where}.address`, address, '0x and 64 lower-case hex digits');
    return Object.freeze({ kind, address });
  }
  if (kind === 'shared') {
    const { initialSharedVersion } = owner as { initialSharedVersion?: unknown };
    if (!isVersion(initialSharedVersion) || initialSharedVersion > version) {
      throw new InvalidOptionError(`${where}.initialSharedVersion`, initialSharedVersion, `a safe integer from 1 to the object's version, ${version}`);
    }
    return Object.freeze({ kind, initialSharedVersion });
  }
  if (kind === 'immutable') return Object.freeze({ kind });
  throw new InvalidOptionError(where, owner, "an owner: { kind: 'address', address }, { kind: 'shared', initialSharedVersion } or { kind: 'immutable' }");
}

function checkedContents(contents: unknown, where: string): ObjectContents {
  const type = typeof contents === 'object' && contents !== null ? (contents as { type?: unknown }).type : undefined;
  if (type === 'coin' || type === 'counter') {
    const field = type === 'coin' ? 'balance' : 'value';
    const amount = (contents as Record<string, unknown>)[field];
    if (typeof amount !== 'bigint' || amount < 0n || amount >= U64_LIMIT) throw new InvalidOptionError(`${where}.${field}`, amount, 'a bigint from 0 to 2^64 - 1');
    return Object.freeze(type === 'coin' ? { type, balance: amount } : { type, value: amount });
  }
  throw new InvalidOptionError(where, contents, "contents: { type: 'coin', balance } or { type: 'counter', value }");
}

function checkedDigest(digest: unknown, where: string): string {
  if (!isCanonicalHex32(digest)) throw new InvalidOptionError(where, digest, '0x and 64 lower-case hex digits');
  return digest;
}

function isVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}
