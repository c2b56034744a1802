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
  view.setBigUint64(at, BigInt(object.version), true);
  at += 8;
  switch (object.owner.kind) {
    case 'address':
      bytes[at++] = 0;
      at = writeHex32(bytes, at, object.owner.address);
      break;
    case 'shared':
      bytes[at++] = 1;
      view.setBigUint64(at, BigInt(object.owner.initialSharedVersion), true);
      at += 8;
      break;
    case 'immutable':
      bytes[at++] = 2;
      break;
  }
  if (object.contents.type === 'coin') {
    bytes[at++] = 0;
    view.setBigUint64(at, object.contents.balance, true);
  } else {
    bytes[at++] = 1;
    view.setBigUint64(at, object.contents.value, true);
  }
  at += 8;
  writeHex32(bytes, at, object.previousTransaction);
  return bytes;
}

function writeHex32(bytes: Uint8Array, at: number, hex: string): number {
  if (hex.length !== 66 || !hex.startsWith('0x') || Buffer.from(bytes.buffer, bytes.byteOffset + at, 32).write(hex.slice(2), 'hex') !== 32) {
    throw new TypeError(`expected 0x and 64 hex digits, got ${JSON.stringify(hex)}`);
  }
  return at + 32;
}
