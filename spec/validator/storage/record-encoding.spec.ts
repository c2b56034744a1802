import fc from 'fast-check';
import type { TransactionEvent } from '../../../lib/authority-state';
import { encodeCertificate } from '../../../lib/validator/certificates/certificate-wire';
import { generateWorkload } from '../../../lib/validator/workload/workload';
import { effectsBcsValue, sealEffects } from '../../../lib/validator/model/effects';
import { ObjectBcs } from '../../../lib/validator/model/encoding';
import type { StoredObject } from '../../../lib/validator/model/objects';
import {
  ExecutedBcs,
  type PendingRecord,
  PendingBcs,
  decodeExecuted,
  decodePending,
  decodeStoredObject,
  encodeExecuted,
  encodePending,
  encodeStoredObject,
} from '../../../lib/validator/storage/record-encoding';
import { contents, hex32, objectRef, owner } from '../arbitraries';

const version = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const storedObject: fc.Arbitrary<StoredObject> = fc.record({ id: hex32, version, owner, contents, previousTransaction: hex32, digest: hex32 });

const effects = fc
  .record({
    transactionDigest: hex32,
    epoch: fc.nat(),
    status: fc.oneof(fc.constant({ kind: 'success' } as const), fc.nat({ max: 2 ** 32 - 1 }).map((command) => ({ kind: 'failure', error: 'overflow', command }) as const)),
    gasUsed: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    lamportVersion: version,
    // Up to 200, so vector lengths cross the one-byte ULEB128 boundary.
    created: fc.array(objectRef, { maxLength: 200 }),
    mutated: fc.array(objectRef, { maxLength: 4 }),
    deleted: fc.array(objectRef, { maxLength: 2 }),
    sharedObjects: fc.array(objectRef, { maxLength: 2 }),
    dependencies: fc.array(hex32, { maxLength: 4 }),
  })
  .map(sealEffects);

const event: fc.Arbitrary<TransactionEvent> = fc
  .record({ type: fc.string({ unit: 'grapheme' }), fields: fc.dictionary(fc.string({ unit: 'grapheme' }).filter((name) => name !== 'type'), fc.jsonValue({ maxDepth: 2 })) })
  .map(({ type, fields }) => ({ ...fields, type }));

// Real certificates (the record holds one in its wire form, and reading it back passes the door again).
const certificates = generateWorkload({ seed: 5, transactions: 40, accounts: 6, contention: 0.3 }).steps.map((step) => step.certificate);
const pending: fc.Arbitrary<PendingRecord> = fc.record({
  certificate: fc.constantFrom(...certificates),
  commit: fc.option(fc.record({ digest: fc.string({ unit: 'grapheme' }), index: version }), { nil: undefined }),
  shared: fc.array(fc.tuple(hex32, version), { maxLength: 3 }).map((entries) => new Map(entries)),
});

describe('the durable store records, written and read directly', () => {
  it('an object: its digest, then exactly the ObjectBcs bytes; read back as it was', () => {
    fc.assert(
      fc.property(storedObject, (object) => {
        const bytes = encodeStoredObject(object);
        expect(bytes.subarray(32)).toEqual(Buffer.from(ObjectBcs.serialize(object).toBytes()));
        expect(decodeStoredObject(bytes)).toEqual(object);
      }),
      { numRuns: 300 },
    );
  });

  it('an executed record: the sequence (big-endian), then exactly the ExecutedBcs bytes; read back as it was', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), effects, fc.array(event, { maxLength: 3 }), (sequence, sealed, events) => {
        const bytes = encodeExecuted(sequence, sealed, events);
        expect(bytes.readBigUInt64BE(0)).toBe(BigInt(sequence));
        const schema = ExecutedBcs.serialize(
          {
            effects: effectsBcsValue(sealed),
            events: events.map((e) => ({
              type: e.type,
              fields: Object.entries(e)
                .filter(([name]) => name !== 'type')
                .map(([name, value]) => ({ name, json: JSON.stringify(value) })),
            })),
          },
          { initialSize: 8192, maxSize: 1 << 20 },
        ).toBytes();
        expect(bytes.subarray(8)).toEqual(Buffer.from(schema));
        const read = decodeExecuted(bytes.subarray(8));
        expect(read.effects).toEqual(sealed);
        expect(read.events).toEqual(JSON.parse(JSON.stringify(events)));
      }),
      { numRuns: 100 },
    );
  }, 30_000);

  it('an event field named __proto__ is read back as a field (found by the property above, seed 2030847745)', () => {
    const sealed = fc.sample(effects, { numRuns: 1, seed: 5 })[0] as Parameters<typeof encodeExecuted>[1];
    const events = JSON.parse('[{"type":"t","__proto__":false}]') as Parameters<typeof encodeExecuted>[2];
    const read = decodeExecuted(encodeExecuted(1, sealed, events).subarray(8));
    expect(read.events).toEqual(events);
    expect(Object.getPrototypeOf(read.events[0])).toBe(Object.prototype);
  });

  it('a pending certificate: exactly the PendingBcs bytes; read back as it was', () => {
    fc.assert(
      fc.property(pending, (record) => {
        const bytes = encodePending(record);
        const { certificate, commit, shared } = record;
        const schema = PendingBcs.serialize(
          {
            certificate: encodeCertificate(certificate),
            commit: commit ? { digest: commit.digest, index: BigInt(commit.index) } : null,
            shared: [...shared].map(([id, v]) => ({ id, version: BigInt(v) })),
          },
          { initialSize: 4096, maxSize: 1 << 20 },
        ).toBytes();
        expect(bytes).toEqual(Buffer.from(schema));
        expect(decodePending(bytes)).toEqual(record);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a record cut short or with bytes left over (a corrupt database), naming the field', () => {
    const object = fc.sample(storedObject, { numRuns: 1, seed: 3 })[0] as StoredObject;
    const bytes = encodeStoredObject(object);
    expect(() => decodeStoredObject(bytes.subarray(0, bytes.length - 1))).toThrow(/object\.previousTransaction/);
    expect(() => decodeStoredObject(Buffer.concat([bytes, Buffer.of(0)]))).toThrow(/1 bytes after the object/);
    const record = encodePending(fc.sample(pending, { numRuns: 1, seed: 4 })[0] as PendingRecord);
    expect(() => decodePending(record.subarray(0, 40))).toThrow();
  });
});
