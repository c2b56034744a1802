import fc from 'fast-check';
import { canonicalCertificate } from '../../../lib/validator/certificates/canonical-certificate';
import { type CertifiedTransaction, certifyTransaction, decodeCertificate, verifyCertificate } from '../../../lib/validator/certificates/certified-transaction';
import { encodeCertificate } from '../../../lib/validator/certificates/certificate-wire';
import { TransactionDataBcs, decodeTransactionData, encodeTransactionData } from '../../../lib/validator/model/encoding';
import { InvalidCertificateError, NonCanonicalTransactionError } from '../../../lib/validator/errors';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import type { TransactionData } from '../../../lib/validator/model/transactions';
import { transactionData } from '../arbitraries';

const { committee, signers } = generateCommittee(0, [1, 1, 1, 1]);
/** Exactly a quorum: dropping any one signature must fall short. */
const quorum = signers.slice(0, 3);

/** A deep, mutable copy: objects, arrays and byte arrays copied; strings, numbers and bigints are values. */
function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]));
  return value;
}

/** Every place in a value that a mutation can hit: [parent, key] pairs, byte arrays as leaves. */
function places(value: unknown, out: [Record<string | number, unknown>, string | number][] = []): [Record<string | number, unknown>, string | number][] {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return out;
  for (const [key, child] of Object.entries(value)) {
    out.push([value as Record<string, unknown>, Array.isArray(value) ? Number(key) : key]);
    places(child, out);
  }
  return out;
}

type Mutation = 'type' | 'case' | 'value' | 'delete' | 'add';
const OTHER_TYPES: readonly unknown[] = [null, undefined, 0, 1, -1, 0.5, Number.NaN, '', 'x', '0', 0n, 1n, true, false, {}, [], new Uint8Array(1)];

/** Another value of the same type: never equal to the original. */
function otherValue(value: unknown, pick: number): unknown {
  if (typeof value === 'string') return value.length > 2 ? `${value.slice(0, -1)}${value.endsWith('0') ? '1' : '0'}` : `${value}x`;
  if (typeof value === 'number') return pick % 2 === 0 ? value + 1 : -value - 1;
  if (typeof value === 'bigint') return pick % 2 === 0 ? value + 1n : value - 1n;
  if (typeof value === 'boolean') return !value;
  if (value instanceof Uint8Array) {
    const changed = new Uint8Array(value);
    if (changed.length === 0) return Uint8Array.of(0);
    changed[pick % changed.length] = ((changed[pick % changed.length] as number) + 1) % 256;
    return changed;
  }
  if (Array.isArray(value)) return value.length > 0 ? value.slice(1) : [value];
  return { ...(value as object), extra: 1 };
}

/** Apply one generated mutation to `root` in place; false if it does not apply there (the property is then vacuous). */
function mutate(root: unknown, placeIndex: number, mutation: Mutation, pick: number): boolean {
  const all = places(root);
  const place = all[placeIndex % all.length];
  if (!place) return false;
  const [parent, key] = place;
  const current = parent[key];
  switch (mutation) {
    case 'type': {
      const replacement = OTHER_TYPES.filter((v) => typeof v !== typeof current || Array.isArray(v) !== Array.isArray(current) || v instanceof Uint8Array)[pick % 10];
      parent[key] = replacement;
      return true;
    }
    case 'case': {
      if (typeof current !== 'string') return false;
      // Hex digits upper-cased behind the 0x prefix (the spelling a lenient decoder accepts), or the whole string.
      const changed = current.startsWith('0x') && pick % 2 === 0 ? `0x${current.slice(2).toUpperCase()}` : current.toUpperCase();
      if (changed === current) return false;
      parent[key] = changed;
      return true;
    }
    case 'value':
      parent[key] = otherValue(current, pick);
      return true;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else Reflect.deleteProperty(parent, key);
      return true;
    case 'add':
      if (Array.isArray(parent)) parent.push(clone(current));
      else parent[`extra${pick % 3}`] = OTHER_TYPES[pick % OTHER_TYPES.length];
      return true;
  }
}

const mutation = fc.record({
  place: fc.nat(),
  kind: fc.constantFrom<Mutation>('type', 'case', 'value', 'delete', 'add'),
  pick: fc.nat(),
});

function refusedOrAccepted(value: unknown): CertifiedTransaction | InvalidCertificateError {
  try {
    return verifyCertificate(value, committee);
  } catch (error) {
    if (error instanceof InvalidCertificateError) return error;
    throw error; // any other error fails the property
  }
}

describe('the certificate door (properties)', () => {
  it('accepts any certified transaction, and re-encoding what it accepted gives exactly the signed bytes', () => {
    fc.assert(
      fc.property(transactionData, (tx) => {
        const signedBytes = certifyTransaction(tx, committee, quorum).transactionBytes;
        const accepted = verifyCertificate(certifyTransaction(tx, committee, quorum), committee);
        expect(accepted.transactionBytes).toEqual(signedBytes);
        expect(encodeTransactionData(accepted.data)).toEqual(signedBytes);
        // The direct encoder is byte-equal to the BCS schema.
        expect(TransactionDataBcs.serialize(accepted.data).toBytes()).toEqual(signedBytes);
        expect(accepted.data).toEqual(tx);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses any single mutation of an accepted certificate (type, case, value, deletion, addition) with a typed error, but dropping the optional data', () => {
    fc.assert(
      fc.property(transactionData, mutation, (tx, { place, kind, pick }) => {
        const accepted = verifyCertificate(certifyTransaction(tx, committee, quorum), committee);
        const tampered = clone(accepted);
        fc.pre(mutate(tampered, place, kind, pick));
        const result = refusedOrAccepted(tampered);
        if (result instanceof InvalidCertificateError) return;
        // Accepted: only by dropping the optional `data`, which leaves the bytes alone, meaning exactly the same.
        expect(result.digest).toBe(accepted.digest);
        expect(Object.hasOwn(tampered as object, 'data') && (tampered as { data: unknown }).data !== undefined).toBe(false);
        expect(result.data).toEqual(accepted.data);
        expect(result.transactionBytes).toEqual(accepted.transactionBytes);
      }),
      { numRuns: 1_000 },
    );
  });

  it('re-signing a mutated transaction either cannot be done or gives another digest, and what is accepted is what was signed', () => {
    fc.assert(
      fc.property(transactionData, mutation, (tx, { place, kind, pick }) => {
        const original = certifyTransaction(tx, committee, quorum);
        const data = clone(tx);
        fc.pre(mutate(data, place, kind, pick));
        let resigned: CertifiedTransaction;
        try {
          resigned = certifyTransaction(data as TransactionData, committee, quorum);
        } catch (error) {
          expect(error).toBeInstanceOf(NonCanonicalTransactionError);
          return;
        }
        expect(resigned.digest).not.toBe(original.digest);
        const accepted = verifyCertificate(resigned, committee);
        expect(accepted.data).toEqual(data);
        expect(encodeTransactionData(accepted.data)).toEqual(resigned.transactionBytes);
      }),
      { numRuns: 1_000 },
    );
  });

  it('decodes random bytes and corrupted genuine bytes only to a typed error or to data that re-encodes to exactly those bytes', () => {
    const corrupted = fc
      .tuple(transactionData, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'delete', 'truncate'))
      .map(([tx, at, byte, how]) => {
        const bytes = [...encodeTransactionData(tx)];
        const i = at % bytes.length;
        if (how === 'flip') bytes[i] = byte;
        else if (how === 'insert') bytes.splice(i, 0, byte);
        else if (how === 'delete') bytes.splice(i, 1);
        else bytes.length = i;
        return Uint8Array.from(bytes);
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), corrupted), (bytes) => {
        let data: TransactionData;
        try {
          data = decodeTransactionData(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(NonCanonicalTransactionError);
          return;
        }
        expect(encodeTransactionData(data)).toEqual(bytes);
      }),
      { numRuns: 3_000 },
    );
  });

  it('meets random values with typed errors only: the door, the encoder and the decoder', () => {
    const anything = fc.anything({ withBigInt: true, withTypedArray: true, withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true });
    const genuine = certifyTransaction({ sender: `0x${'11'.repeat(32)}`, inputs: [], gas: { payment: { id: `0x${'22'.repeat(32)}`, version: 1, digest: `0x${'33'.repeat(32)}` }, budget: 1n, price: 1n }, commands: [] }, committee, quorum);
    const fields = ['digest', 'epoch', 'transactionBytes', 'data', 'quorumSignature'] as const;
    const certificateLike = fc.oneof(
      anything,
      fc.tuple(fc.constantFrom(...fields), anything).map(([field, value]) => ({ ...genuine, [field]: value })),
    );
    fc.assert(
      fc.property(certificateLike, anything, (value, data) => {
        try {
          canonicalCertificate(value);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidCertificateError);
        }
        const result = refusedOrAccepted(value);
        // Only a genuine certificate without its optional data (or with signatures as good) gets through: meaning the same.
        if (!(result instanceof InvalidCertificateError)) expect(result).toEqual({ ...genuine, data: genuine.data });
        expect(() => encodeTransactionData(data as TransactionData)).toThrow(NonCanonicalTransactionError);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('the certificate wire form (properties)', () => {
  const genuine = certifyTransaction(
    { sender: `0x${'11'.repeat(32)}`, inputs: [], gas: { payment: { id: `0x${'22'.repeat(32)}`, version: 1, digest: `0x${'33'.repeat(32)}` }, budget: 1n, price: 1n }, commands: [] },
    committee,
    quorum,
  );
  const genuineWire = encodeCertificate(genuine);

  /** A ULEB128 length, then the bytes: how BCS frames a vector. */
  const vector = (bytes: Uint8Array) => {
    const length: number[] = [];
    let rest = bytes.length;
    do {
      length.push((rest & 0x7f) | (rest > 0x7f ? 0x80 : 0));
      rest >>>= 7;
    } while (rest > 0);
    return [...length, ...bytes];
  };
  /** Fields of the right kinds but random values: framing that parses, content that mostly does not verify. */
  const framed = fc
    .tuple(
      fc.oneof(transactionData.map((tx) => encodeTransactionData(tx)), fc.uint8Array({ maxLength: 120 })),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      fc.oneof(fc.uint8Array({ minLength: 96, maxLength: 96 }), fc.constant(genuine.quorumSignature.signature)),
      fc.oneof(fc.uint8Array({ maxLength: 3 }), fc.constantFrom(Uint8Array.of(0b0111), Uint8Array.of(0b1111), Uint8Array.of(0b1_0111))),
    )
    .map(([tx, epoch, signature, signers]) => {
      const epochBytes = new Uint8Array(8);
      new DataView(epochBytes.buffer).setBigUint64(0, epoch, true);
      return Uint8Array.from([...vector(tx), ...epochBytes, ...signature, ...vector(signers)]);
    });
  const corrupted = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'append', 'delete', 'truncate')).map(([at, byte, how]) => {
    const bytes = [...genuineWire];
    const i = at % bytes.length;
    if (how === 'flip') bytes[i] = byte;
    else if (how === 'insert') bytes.splice(i, 0, byte);
    else if (how === 'append') bytes.push(...Array.from({ length: 1 + (at % 3) }, () => byte));
    else if (how === 'delete') bytes.splice(i, 1);
    else bytes.length = i;
    return Uint8Array.from(bytes);
  });

  it('round-trips every certified transaction, and verifies from its bytes alone', () => {
    fc.assert(
      fc.property(transactionData, fc.boolean(), (tx, signed) => {
        const certificate = certifyTransaction(tx, committee, signed ? quorum : []);
        const wire = encodeCertificate(certificate);
        expect(decodeCertificate(wire)).toEqual(certificate);
        if (signed) expect(verifyCertificate(wire, committee)).toEqual(certificate);
        else expect(() => verifyCertificate(wire, committee)).toThrow(/signers hold 0 of the 3 needed/);
      }),
      { numRuns: 60 },
    );
  });

  it('decodes any byte string to a certificate whose encoding is exactly those bytes, or refuses it with a typed error; so does verification', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), framed, corrupted), (bytes) => {
        let decoded: CertifiedTransaction;
        try {
          decoded = decodeCertificate(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidCertificateError);
          expect(['malformed', 'non-canonical']).toContain((error as InvalidCertificateError).problem);
          return;
        }
        expect(encodeCertificate(decoded)).toEqual(bytes);
        const result = refusedOrAccepted(bytes);
        // Accepted only when it is the genuine certificate: the committee signed nothing else here.
        if (!(result instanceof InvalidCertificateError)) expect(result).toEqual(genuine);
      }),
      { numRuns: 3_000 },
    );
  });

  it('meets random quorum signatures in the object form with typed errors only', () => {
    const quorumLike = fc.record(
      {
        epoch: fc.oneof(fc.constant(0), fc.nat(3), fc.anything()),
        signature: fc.oneof(fc.uint8Array({ minLength: 96, maxLength: 96 }), fc.uint8Array({ maxLength: 200 }), fc.constant(genuine.quorumSignature.signature)),
        signers: fc.oneof(fc.uint8Array({ maxLength: 3 }), fc.constant(genuine.quorumSignature.signers)),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(quorumLike, (quorumSignature) => {
        const result = refusedOrAccepted({ ...genuine, quorumSignature });
        if (!(result instanceof InvalidCertificateError)) expect(result).toEqual(genuine);
      }),
      { numRuns: 2_000 },
    );
  });
});
