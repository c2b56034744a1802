import { writeHex32, writeU64 } from './direct-bcs';
import type { StoredObject } from './objects';

/**
 * The BCS bytes of an object's digest-covered fields, written directly.
 * Byte-identical to `ObjectBcs` (a property test checks it), without the
 * generic writer's per-call allocations: objects are encoded for every
 * digest on the execution hot path.
 *
 * Layout: id (32) | version u64 LE | owner enum (0: address 32, 1: shared u64, 2: immutable)
 *         | contents enum (0: coin u64, 1: counter u64) | previousTransaction (32)
 */
export function encodeObjectFast(object: Omit<StoredObject, 'digest'>): Uint8Array {
  const ownerSize = object.owner.kind === 'address' ? 32 : object.owner.kind === 'shared' ? 8 : 0;
  const bytes = new Uint8Array(32 + 8 + 1 + ownerSize + 1 + 8 + 32);
  const view = new DataView(bytes.buffer);
  let at = writeHex32(bytes, 0, object.id);
  at = writeU64(view, at, object.version);
  switch (object.owner.kind) {
    case 'address':
      bytes[at++] = 0;
      at = writeHex32(bytes, at, object.owner.address);
      break;
    case 'shared':
      bytes[at++] = 1;
      at = writeU64(view, at, object.owner.initialSharedVersion);
      break;
    case 'immutable':
      bytes[at++] = 2;
      break;
  }
  bytes[at++] = object.contents.type === 'coin' ? 0 : 1;
  at = writeU64(view, at, object.contents.type === 'coin' ? object.contents.balance : object.contents.value);
  writeHex32(bytes, at, object.previousTransaction);
  return bytes;
}
