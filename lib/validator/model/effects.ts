import { bcs } from '@mysten/bcs';
import { SCOPE_BYTE, blake2b256Hex } from './digests';
import { Bytes32 } from './encoding';
import { BcsScratch } from './direct-bcs';
import { encodeEffectsFast, writeEffects } from './fast-effects-encoding';
import type { Digest, ObjectRef } from './objects';
import type { StateEffects } from './state-effects';

export type { AbortCode, CancellationCode, ExecutionStatus, StateEffects } from './state-effects';

/** The digest an object reference carries once the object is deleted. */
export const DELETED_OBJECT_DIGEST: Digest = `0x${'00'.repeat(32)}`;

const Ref = bcs.struct('ObjectRef', { id: Bytes32, version: bcs.u64(), digest: Bytes32 });
/** The effects' canonical layout: the schema `encodeEffectsFast` writes directly. */
export const EffectsBcs = bcs.struct('TransactionEffects', {
  transactionDigest: Bytes32,
  epoch: bcs.u64(),
  status: bcs.enum('ExecutionStatus', {
    Success: null,
    Failure: bcs.struct('Failure', { error: bcs.string(), command: bcs.u32() }),
  }),
  gasUsed: bcs.u64(),
  lamportVersion: bcs.u64(),
  created: bcs.vector(Ref),
  mutated: bcs.vector(Ref),
  deleted: bcs.vector(Ref),
  sharedObjects: bcs.vector(Ref),
  dependencies: bcs.vector(Bytes32),
});

/** The canonical bytes of effects (every field but the digest), in the `EffectsBcs` layout. */
export function encodeEffects(effects: Omit<StateEffects, 'digest'>): Uint8Array {
  return encodeEffectsFast(effects);
}

/** The `EffectsBcs` schema's value for `effects`: the reference the direct encoder is checked against. */
export function effectsBcsValue(effects: Omit<StateEffects, 'digest'>): Parameters<typeof EffectsBcs.serialize>[0] {
  const refs = (list: readonly ObjectRef[]) => list.map((r) => ({ id: r.id, version: BigInt(r.version), digest: r.digest }));
  return {
    transactionDigest: effects.transactionDigest,
    epoch: BigInt(effects.epoch),
    status: effects.status.kind === 'success' ? { Success: true } : { Failure: { error: effects.status.error, command: effects.status.command } },
    gasUsed: effects.gasUsed,
    lamportVersion: BigInt(effects.lamportVersion),
    created: refs(effects.created),
    mutated: refs(effects.mutated),
    deleted: refs(effects.deleted),
    sharedObjects: refs(effects.sharedObjects),
    dependencies: [...effects.dependencies],
  };
}

/** Seal effects with their digest: Blake2b-256 of their canonical encoding. */
export function sealEffects(effects: Omit<StateEffects, 'digest'>): StateEffects {
  const digest = blake2b256Hex(writeEffects(scratch.reset().byte(SCOPE_BYTE.TransactionEffects), effects).view());
  // Every field named (not spread): one object shape for all effects, built in one step.
  return {
    digest,
    transactionDigest: effects.transactionDigest,
    epoch: effects.epoch,
    status: effects.status,
    gasUsed: effects.gasUsed,
    lamportVersion: effects.lamportVersion,
    created: effects.created,
    mutated: effects.mutated,
    deleted: effects.deleted,
    sharedObjects: effects.sharedObjects,
    dependencies: effects.dependencies,
  };
}

/** Reused by `sealEffects`: the bytes are hashed in place, synchronously. */
const scratch = new BcsScratch();
