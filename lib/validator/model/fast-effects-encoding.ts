import { BcsScratch } from './direct-bcs';
import type { StateEffects } from './state-effects';
import type { ObjectRef } from './objects';

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
export function writeEffects(out: BcsScratch, effects: Omit<StateEffects, 'digest'>): BcsScratch {
  const { status } = effects;
  out.hex32(effects.transactionDigest).u64(effects.epoch);
  if (status.kind === 'failure') {
    const error = utf8.encode(status.error);
    out.byte(1).uleb(error.length).bytes(error).u32(status.command);
  } else {
    out.byte(0);
  }
  out.u64(effects.gasUsed).u64(effects.lamportVersion);
  writeRefs(out, effects.created);
  writeRefs(out, effects.mutated);
  writeRefs(out, effects.deleted);
  writeRefs(out, effects.sharedObjects);
  out.uleb(effects.dependencies.length);
  for (const digest of effects.dependencies) out.hex32(digest);
  return out;
}

/** The bytes as an array of their own. */
export function encodeEffectsFast(effects: Omit<StateEffects, 'digest'>): Uint8Array {
  return writeEffects(new BcsScratch(), effects).copy();
}

function writeRefs(out: BcsScratch, refs: readonly ObjectRef[]): void {
  out.uleb(refs.length);
  for (const ref of refs) out.hex32(ref.id).u64(ref.version).hex32(ref.digest);
}
