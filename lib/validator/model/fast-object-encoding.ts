import { BcsScratch } from './direct-bcs';
import { SCOPE_BYTE, blake2b256Hex } from './digests';
import type { Digest, StoredObject } from './objects';

/**
 * The BCS bytes of an object's digest-covered fields, written directly.
 * Byte-identical to `ObjectBcs` (a property test checks it), without the
 * generic writer's per-call allocations: objects are encoded for every
 * digest on the execution hot path.
 *
 * Layout: id (32) | version u64 LE | owner enum (0: address 32, 1: shared u64, 2: immutable)
 *         | contents enum (0: coin u64, 1: counter u64) | previousTransaction (32)
 */
export function writeObject(out: BcsScratch, object: Omit<StoredObject, 'digest'>): BcsScratch {
  out.hex32(object.id).u64(object.version);
  switch (object.owner.kind) {
    case 'address':
      out.byte(0).hex32(object.owner.address);
      break;
    case 'shared':
      out.byte(1).u64(object.owner.initialSharedVersion);
      break;
    case 'immutable':
      out.byte(2);
      break;
  }
  if (object.contents.type === 'coin') out.byte(0).u64(object.contents.balance);
  else out.byte(1).u64(object.contents.value);
  return out.hex32(object.previousTransaction);
}

/** The bytes as an array of their own. */
export function encodeObjectFast(object: Omit<StoredObject, 'digest'>): Uint8Array {
  return writeObject(new BcsScratch(), object).copy();
}

const scratch = new BcsScratch();

/** An object's digest: its bytes written after the scope byte into a reused buffer, and hashed there. */
export function objectDigest(object: Omit<StoredObject, 'digest'>): Digest {
  return blake2b256Hex(writeObject(scratch.reset().byte(SCOPE_BYTE.Object), object).view());
}
