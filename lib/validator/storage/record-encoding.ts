import { bcs } from '@mysten/bcs';
import type { TransactionEvent } from '../../authority-state';
import { canonicalCertificate } from '../certificates/canonical-certificate';
import type { CertifiedTransaction } from '../certificates/certificate-types';
import { encodeCertificate } from '../certificates/certificate-wire';
import { EffectsBcs, effectsBcsValue, sealEffects } from '../model/effects';
import { Bytes32, ObjectBcs } from '../model/encoding';
import { encodeObjectFast } from '../model/fast-object-encoding';
import type { Digest, ObjectId, StoredObject } from '../model/objects';
import type { StateEffects } from '../model/state-effects';

/**
 * How the durable store lays records out on disk. Objects and effects are
 * their canonical BCS bytes (an object's after its digest, the hash of those
 * bytes); keys are fixed-width bytes that sort as LMDB compares them.
 */

/** 32 bytes of a `0x`-hex id or digest. */
export function idBytes(hex: string): Buffer {
  return Buffer.from(hex.slice(2), 'hex');
}

export function hexOf(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/** An 8-byte big-endian unsigned integer: sorts numerically. */
export function u64Bytes(value: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(value));
  return out;
}

export function u64Of(bytes: Uint8Array, offset = 0): number {
  return Number(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readBigUInt64BE(offset));
}

/** One version of one object: id then version, so an object's versions are adjacent and in order. */
export function objectKey(id: ObjectId, version: number): Buffer {
  const key = Buffer.alloc(40);
  key.write(id.slice(2), 0, 32, 'hex');
  key.writeBigUInt64BE(BigInt(version), 32);
  return key;
}

/** The object's digest (32 bytes), then its canonical BCS bytes: the digest is kept, not re-hashed on every read. */
export function encodeStoredObject(object: StoredObject): Buffer {
  return Buffer.concat([idBytes(object.digest), encodeObjectFast(object)]);
}

export function decodeStoredObject(bytes: Uint8Array): StoredObject {
  const body = ObjectBcs.parse(bytes.subarray(32));
  return { ...body, digest: hexOf(bytes.subarray(0, 32)) };
}

/** An event's fields as JSON text, in BCS: events are open-ended records. */
const EventBcs = bcs.struct('Event', {
  type: bcs.string(),
  fields: bcs.vector(bcs.struct('EventField', { name: bcs.string(), json: bcs.string() })),
});

const ExecutedBcs = bcs.struct('ExecutedRecord', { effects: EffectsBcs, events: bcs.vector(EventBcs) });

export function encodeExecuted(effects: StateEffects, events: readonly TransactionEvent[]): Uint8Array {
  return ExecutedBcs.serialize({
    effects: effectsBcsValue(effects),
    events: events.map((event) => ({
      type: event.type,
      fields: Object.entries(event)
        .filter(([name]) => name !== 'type')
        .map(([name, value]) => ({ name, json: JSON.stringify(value) })),
    })),
  }).toBytes();
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
      for (const field of event.fields) out[field.name] = JSON.parse(field.json) as unknown;
      return out as TransactionEvent;
    }),
  };
}

/** A certificate the manager holds, with where consensus put it and the shared versions it was assigned. */
export interface PendingRecord {
  readonly certificate: Pick<CertifiedTransaction, 'digest' | 'epoch' | 'transactionBytes' | 'quorumSignature'>;
  readonly commit: { readonly digest: string; readonly index: number } | undefined;
  readonly shared: ReadonlyMap<ObjectId, number>;
}

/** The certificate in its wire form (`encodeCertificate`): its digest and epoch are read back from it. */
const PendingBcs = bcs.struct('PendingCertificate', {
  certificate: bcs.vector(bcs.u8()),
  commit: bcs.option(bcs.struct('CommitRef', { digest: bcs.string(), index: bcs.u64() })),
  shared: bcs.vector(bcs.struct('SharedVersion', { id: Bytes32, version: bcs.u64() })),
});

export function encodePending(record: PendingRecord): Uint8Array {
  const { certificate, commit, shared } = record;
  return PendingBcs.serialize({
    certificate: encodeCertificate(certificate),
    commit: commit ? { digest: commit.digest, index: BigInt(commit.index) } : null,
    shared: [...shared].map(([id, version]) => ({ id, version: BigInt(version) })),
  }).toBytes();
}

/** @throws InvalidCertificateError if the stored certificate does not pass the door (a damaged record). */
export function decodePending(bytes: Uint8Array): PendingRecord {
  const value = PendingBcs.parse(bytes);
  return {
    certificate: canonicalCertificate(Uint8Array.from(value.certificate)),
    commit: value.commit ? { digest: value.commit.digest, index: Number(value.commit.index) } : undefined,
    shared: new Map(value.shared.map((s) => [s.id, Number(s.version)])),
  };
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
