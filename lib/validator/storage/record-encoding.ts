import { bcs } from '@mysten/bcs';
import type { TransactionEvent } from '../../authority-state';
import { canonicalCertificate } from '../certificates/canonical-certificate';
import type { CertifiedTransaction } from '../certificates/certificate-types';
import { encodeCertificate } from '../certificates/certificate-wire';
import { BcsReader } from '../model/bcs-reader';
import { BcsScratch } from '../model/direct-bcs';
import { EffectsBcs, sealEffects } from '../model/effects';
import { Bytes32 } from '../model/encoding';
import { hex32At, writeHex32 } from '../model/hex32';
import { writeEffects } from '../model/fast-effects-encoding';
import { writeObject } from '../model/fast-object-encoding';
import type { Digest, ObjectContents, ObjectId, Owner, StoredObject } from '../model/objects';
import type { StateEffects } from '../model/state-effects';

/**
 * How the durable store lays records out on disk. Objects and effects are
 * their canonical BCS bytes (an object's after its digest, the hash of those
 * bytes); keys are fixed-width bytes that sort as LMDB compares them.
 */

/** 32 bytes of a `0x`-hex id or digest. */
export function idBytes(hex: string): Buffer {
  const bytes = Buffer.allocUnsafe(32);
  // Anything but 0x and 64 hex digits: Buffer's shorter bytes, which match no key (garbage could match one).
  return writeHex32(hex, bytes, 0) ? bytes : Buffer.from(hex.slice(2), 'hex');
}

export function hexOf(bytes: Uint8Array): string {
  if (bytes.length === 32) return hex32At(bytes, 0);
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/** An 8-byte big-endian unsigned integer: sorts numerically. */
export function u64Bytes(value: number): Buffer {
  return writeU64(Buffer.allocUnsafe(8), value, 0);
}

/** A safe integer as 8 bytes, big-endian, at `offset`: two u32 halves, no BigInt allocated (keys are made per write). */
function writeU64(out: Buffer, value: number, offset: number): Buffer {
  out.writeUInt32BE(Math.floor(value / 0x1_0000_0000), offset);
  out.writeUInt32BE(value >>> 0, offset + 4);
  return out;
}

export function u64Of(bytes: Uint8Array, offset = 0): number {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.readUInt32BE(offset) * 0x1_0000_0000 + view.readUInt32BE(offset + 4);
}

/** One version of one object: id then version, so an object's versions are adjacent and in order. */
export function objectKey(id: ObjectId, version: number): Buffer {
  const key = Buffer.allocUnsafe(40);
  if (!writeHex32(id, key, 0)) {
    // Not an id: what Buffer's hex decoding makes of it (zeros past its last digit), as before, not garbage.
    key.fill(0, 0, 32);
    key.write(id.slice(2), 0, 32, 'hex');
  }
  return writeU64(key, version, 32);
}

/** Reused by the encoders below: each record is written here, then copied out once. */
const scratch = new BcsScratch();

/** What was written into `scratch`, as a Buffer of its own (lmdb-js takes Buffers). */
function copied(out: BcsScratch): Buffer {
  const view = out.view();
  const bytes = Buffer.allocUnsafe(view.length);
  bytes.set(view);
  return bytes;
}

/** The object's digest (32 bytes), then its canonical BCS bytes: the digest is kept, not re-hashed on every read. */
export function encodeStoredObject(object: StoredObject): Buffer {
  return copied(writeObject(scratch.reset().hex32(object.digest), object));
}

/**
 * What {@link encodeStoredObject} wrote, read directly (objects are read on
 * every execution): the digest, then the `ObjectBcs` layout.
 * @throws NonCanonicalTransactionError if the bytes are not such a record (a corrupt database).
 */
export function decodeStoredObject(bytes: Uint8Array): StoredObject {
  const reader = new BcsReader(bytes);
  const digest = reader.hex32('object.digest');
  const id = reader.hex32('object.id');
  const version = reader.safeU64('object.version');
  const owner = readOwner(reader);
  const contents = readContents(reader);
  const previousTransaction = reader.hex32('object.previousTransaction');
  reader.end('the object');
  return { id, version, owner, contents, previousTransaction, digest };
}

function readOwner(reader: BcsReader): Owner {
  const tag = reader.byte('object.owner');
  if (tag === 0) return { kind: 'address', address: reader.hex32('object.owner.address') };
  if (tag === 1) return { kind: 'shared', initialSharedVersion: reader.safeU64('object.owner.initialSharedVersion') };
  if (tag === 2) return { kind: 'immutable' };
  return reader.fail('object.owner', `no owner kind has tag ${tag}`, 1);
}

function readContents(reader: BcsReader): ObjectContents {
  const tag = reader.byte('object.contents');
  if (tag === 0) return { type: 'coin', balance: reader.u64('object.contents.balance') };
  if (tag === 1) return { type: 'counter', value: reader.u64('object.contents.value') };
  return reader.fail('object.contents', `no contents type has tag ${tag}`, 1);
}

/** An event's fields as JSON text, in BCS: events are open-ended records. */
const EventBcs = bcs.struct('Event', {
  type: bcs.string(),
  fields: bcs.vector(bcs.struct('EventField', { name: bcs.string(), json: bcs.string() })),
});

/** The executed record's layout: what {@link encodeExecuted} writes directly, and what reads decode. */
export const ExecutedBcs = bcs.struct('ExecutedRecord', { effects: EffectsBcs, events: bcs.vector(EventBcs) });

/**
 * An executed record: `sequence` (8 bytes, big-endian: the executed log's
 * order), then the effects and events in the {@link ExecutedBcs} layout,
 * written directly (once per commit; a property test proves the bytes equal
 * to the schema's).
 */
export function encodeExecuted(sequence: number, effects: StateEffects, events: readonly TransactionEvent[]): Buffer {
  const out = scratch.reset();
  const high = Math.floor(sequence / 0x1_0000_0000);
  const low = sequence >>> 0;
  for (const word of [high, low]) out.byte(word >>> 24).byte((word >>> 16) & 0xff).byte((word >>> 8) & 0xff).byte(word & 0xff);
  writeEffects(out, effects).uleb(events.length);
  for (const event of events) {
    writeString(out, event.type);
    const fields = Object.entries(event).filter(([name]) => name !== 'type');
    out.uleb(fields.length);
    for (const [name, value] of fields) {
      writeString(out, name);
      writeString(out, JSON.stringify(value));
    }
  }
  return copied(out);
}

function writeString(out: BcsScratch, text: string): void {
  out.uleb(Buffer.byteLength(text, 'utf8')).utf8(text);
}

export function decodeExecuted(bytes: Uint8Array): { effects: StateEffects; events: TransactionEvent[] } {
  const { effects, events } = ExecutedBcs.parse(bytes);
  const refs = (list: readonly { id: string; version: string; digest: string }[]) => list.map((r) => ({ id: r.id, version: Number(r.version), digest: r.digest }));
  const status = 'Success' in effects.status ? ({ kind: 'success' } as const) : { kind: 'failure' as const, error: effects.status.Failure.error, command: effects.status.Failure.command };
  return {
    effects: sealEffects({
      transactionDigest: effects.transactionDigest,
      epoch: Number(effects.epoch),
      status: status as StateEffects['status'],
      gasUsed: BigInt(effects.gasUsed),
      lamportVersion: Number(effects.lamportVersion),
      created: refs(effects.created),
      mutated: refs(effects.mutated),
      deleted: refs(effects.deleted),
      sharedObjects: refs(effects.sharedObjects),
      dependencies: effects.dependencies,
    }),
    events: events.map((event) => {
      const out: Record<string, unknown> = { type: event.type };
      // Defined, not assigned: a field named `__proto__` is a field, as JSON.parse makes it, not the prototype.
      for (const field of event.fields) Object.defineProperty(out, field.name, { value: JSON.parse(field.json) as unknown, enumerable: true, writable: true, configurable: true });
      return out as TransactionEvent;
    }),
  };
}

/** A certificate the manager holds, with where consensus put it and the shared versions it was assigned. */
export interface PendingRecord {
  readonly certificate: CertifiedTransaction;
  readonly commit: { readonly digest: string; readonly index: number } | undefined;
  readonly shared: ReadonlyMap<ObjectId, number>;
}

/** The certificate in its wire form (`encodeCertificate`): its digest and epoch are read back from it. */
export const PendingBcs = bcs.struct('PendingCertificate', {
  certificate: bcs.vector(bcs.u8()),
  commit: bcs.option(bcs.struct('CommitRef', { digest: bcs.string(), index: bcs.u64() })),
  shared: bcs.vector(bcs.struct('SharedVersion', { id: Bytes32, version: bcs.u64() })),
});

/**
 * A pending record in the {@link PendingBcs} layout, written directly: one per
 * accepted certificate (the schema's generic writer took about 40 µs a
 * record, writing the certificate's bytes one `u8` at a time; a property
 * test proves the bytes equal to the schema's).
 */
export function encodePending(record: PendingRecord): Buffer {
  const { certificate, commit, shared } = record;
  const wire = encodeCertificate(certificate);
  const out = scratch.reset().uleb(wire.length).bytes(wire);
  if (commit) {
    out.byte(1);
    writeString(out, commit.digest);
    out.u64(commit.index);
  } else out.byte(0);
  out.uleb(shared.size);
  for (const [id, version] of shared) out.hex32(id).u64(version);
  return copied(out);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Most pending certificates touch owned objects only: one empty map for all of them (a restart reads every record). */
const NO_SHARED_VERSIONS: ReadonlyMap<ObjectId, number> = new Map();

/**
 * A pending record in the {@link PendingBcs} layout, read directly: a restart
 * reads every one of them (the schema's generic parse turned each
 * certificate's bytes into an array of numbers first, about 50 µs a record).
 * @throws NonCanonicalTransactionError if the bytes are not such a record, or
 * InvalidCertificateError if the certificate does not pass the door (a damaged record).
 */
export function decodePending(bytes: Uint8Array): PendingRecord {
  const reader = new BcsReader(bytes);
  // A view: the door copies what it keeps.
  const wire = reader.raw(reader.length('pending.certificate', 1), 'pending.certificate');
  let commit: PendingRecord['commit'];
  if (reader.bool('pending.commit')) {
    const text = reader.raw(reader.length('pending.commit.digest', 1), 'pending.commit.digest');
    let digest: string;
    try {
      digest = utf8.decode(text);
    } catch {
      return reader.fail('pending.commit.digest', 'a string that is not UTF-8', text.length);
    }
    commit = { digest, index: reader.safeU64('pending.commit.index') };
  }
  let shared = NO_SHARED_VERSIONS;
  const count = reader.length('pending.shared', 40);
  if (count > 0) {
    const versions = new Map<ObjectId, number>();
    for (let i = 0; i < count; i++) {
      const id = reader.hex32('pending.shared.id');
      versions.set(id, reader.safeU64('pending.shared.version'));
    }
    shared = versions;
  }
  reader.end('the pending certificate');
  return { certificate: canonicalCertificate(wire), commit, shared };
}

/** A consensus commit processed: enough to recognise a redelivery. */
export interface CommitRecord {
  readonly digest: string;
  readonly certificates: readonly Digest[];
}

const CommitBcs = bcs.struct('CommitRecord', { digest: bcs.string(), certificates: bcs.vector(Bytes32) });

export function encodeCommit(record: CommitRecord): Uint8Array {
  return CommitBcs.serialize({ digest: record.digest, certificates: [...record.certificates] }).toBytes();
}

export function decodeCommit(bytes: Uint8Array): CommitRecord {
  return CommitBcs.parse(bytes);
}

/** A committee as persisted: its epoch and members with their keys and proofs of possession (checked again when read back). */
export interface CommitteeRecord {
  readonly epoch: number;
  readonly validators: readonly { readonly name: string; readonly publicKey: Uint8Array; readonly proofOfPossession: Uint8Array; readonly stake: number }[];
}

const CommitteeBcs = bcs.struct('Committee', {
  epoch: bcs.u64(),
  validators: bcs.vector(
    bcs.struct('Validator', { name: bcs.string(), publicKey: bcs.vector(bcs.u8()), proofOfPossession: bcs.vector(bcs.u8()), stake: bcs.u64() }),
  ),
});

export function encodeCommittee(committee: CommitteeRecord): Uint8Array {
  return CommitteeBcs.serialize({
    epoch: BigInt(committee.epoch),
    validators: committee.validators.map((v) => ({ name: v.name, publicKey: v.publicKey, proofOfPossession: v.proofOfPossession, stake: BigInt(v.stake) })),
  }).toBytes();
}

export function decodeCommittee(bytes: Uint8Array): CommitteeRecord {
  const value = CommitteeBcs.parse(bytes);
  return {
    epoch: Number(value.epoch),
    validators: value.validators.map((v) => ({
      name: v.name,
      publicKey: Uint8Array.from(v.publicKey),
      proofOfPossession: Uint8Array.from(v.proofOfPossession),
      stake: Number(v.stake),
    })),
  };
}
