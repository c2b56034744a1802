import { ulebSize, writeHex32, writeU32, writeU64, writeUleb } from './direct-bcs';
import type { StateEffects } from './effects';
import type { ObjectRef } from './objects';

const REF_SIZE = 32 + 8 + 32;
const utf8 = new TextEncoder();

/**
 * The BCS bytes of effects (every field but the digest), written directly.
 * Byte-identical to `EffectsBcs` (a property test checks it): effects are
 * sealed once per executed transaction.
 *
 * Layout: transactionDigest (32) | epoch u64 | status enum (0: success, 1: failure string + u32)
 *         | gasUsed u64 | lamportVersion u64 | created, mutated, deleted, sharedObjects: vector<ObjectRef>
 *         | dependencies: vector<32 bytes>
 */
export function encodeEffectsFast(effects: Omit<StateEffects, 'digest'>): Uint8Array {
  const { status } = effects;
  const error = status.kind === 'failure' ? utf8.encode(status.error) : undefined;
  const refLists = [effects.created, effects.mutated, effects.deleted, effects.sharedObjects];
  let size = 32 + 8 + 1 + (error ? ulebSize(error.length) + error.length + 4 : 0) + 8 + 8;
  for (const list of refLists) size += ulebSize(list.length) + list.length * REF_SIZE;
  size += ulebSize(effects.dependencies.length) + effects.dependencies.length * 32;

  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let at = writeHex32(bytes, 0, effects.transactionDigest);
  at = writeU64(view, at, effects.epoch);
  if (status.kind === 'failure' && error) {
    bytes[at++] = 1;
    at = writeUleb(bytes, at, error.length);
    bytes.set(error, at);
    at = writeU32(view, at + error.length, status.command);
  } else {
    bytes[at++] = 0;
  }
  at = writeU64(view, at, effects.gasUsed);
  at = writeU64(view, at, effects.lamportVersion);
  for (const list of refLists) at = writeRefs(bytes, view, at, list);
  at = writeUleb(bytes, at, effects.dependencies.length);
  for (const digest of effects.dependencies) at = writeHex32(bytes, at, digest);
  return bytes;
}

function writeRefs(bytes: Uint8Array, view: DataView, at: number, refs: readonly ObjectRef[]): number {
  at = writeUleb(bytes, at, refs.length);
  for (const ref of refs) {
    at = writeHex32(bytes, at, ref.id);
    at = writeU64(view, at, ref.version);
    at = writeHex32(bytes, at, ref.digest);
  }
  return at;
}
