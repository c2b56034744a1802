import type { CertifiedTransaction } from './certificate-types';
import { writeTransactionData } from '../model/canonical-transaction-encoding';
import { readTransactionData } from '../model/canonical-transaction-decoding';
import { scopedDigest } from '../model/digests';
import { BcsScratch } from '../model/direct-bcs';
import { InvalidCertificateError, NonCanonicalTransactionError } from '../errors';
import type { TransactionData } from '../model/transactions';

/** The fields a certificate may carry; `data` is optional (the bytes are the transaction). */
const CERTIFICATE_FIELDS = new Set(['digest', 'epoch', 'transactionBytes', 'data', 'signatures']);

/**
 * The digest of the bytes each transaction this door decoded came from.
 * Decoded data is deeply frozen and made only here, so when a certificate
 * carries such data (one this door, or `certifyTransaction`, returned) and
 * its bytes hash to the digest recorded for it, the bytes are the ones it was
 * decoded from (Blake2b-256 is collision resistant, as every signature here
 * already assumes): it is reused, and neither decoded nor re-encoded again.
 * Weak, so it holds nothing alive.
 */
const decodedDigests = new WeakMap<object, string>();

/** Reused to re-encode a carried `data`: synchronous, so one buffer serves every call. */
const scratch = new BcsScratch();

/**
 * The half of the door that does not depend on the signature scheme: is
 * `value` shaped as a certificate, are its transaction bytes the canonical
 * encoding of one transaction, is its digest theirs, and is the `data` it
 * may carry exactly what they decode to? Signatures are checked elsewhere
 * (`verifyQuorum`), over the digest this establishes, so replacing ed25519
 * with BLS aggregates leaves this untouched.
 *
 * Returns a new, frozen certificate: its bytes are a copy and its `data` is
 * decoded from them, so nothing the caller still holds can change what
 * executes. Signatures are passed through unchecked (a frozen copy of the
 * array).
 * @throws InvalidCertificateError `malformed`, `digest-mismatch` or `non-canonical`.
 */
export function canonicalCertificate(value: unknown): CertifiedTransaction {
  let fields: { digest: string; epoch: number; bytes: Uint8Array; given: unknown; signatures: readonly unknown[] };
  try {
    fields = readFields(value);
  } catch (error) {
    if (error instanceof InvalidCertificateError) throw error;
    // A getter or a proxy that throws: refused like any other bad shape.
    throw new InvalidCertificateError('malformed', `reading the certificate threw: ${String(error)}`);
  }
  const { digest, epoch, bytes, given, signatures } = fields;
  const actualDigest = scopedDigest('TransactionData', bytes);
  if (actualDigest !== digest) throw new InvalidCertificateError('digest-mismatch', `its transaction bytes digest to ${actualDigest}`, digest);
  let data = typeof given === 'object' && given !== null ? decodedDigests.get(given) === digest && (given as TransactionData) : false;
  if (!data) {
    try {
      data = readTransactionData(bytes);
    } catch (error) {
      throw nonCanonical(error, 'transaction bytes', digest);
    }
    if (given !== undefined) checkSameTransaction(given, bytes, digest);
    decodedDigests.set(data, digest);
  }
  return Object.freeze({ digest, epoch, transactionBytes: bytes, data, signatures: Object.freeze(signatures.slice()) as CertifiedTransaction['signatures'] });
}

function readFields(value: unknown): { digest: string; epoch: number; bytes: Uint8Array; given: unknown; signatures: readonly unknown[] } {
  if (typeof value !== 'object' || value === null) throw new InvalidCertificateError('malformed', 'not an object');
  for (const key in value) {
    if (!CERTIFICATE_FIELDS.has(key)) throw new InvalidCertificateError('malformed', `unknown field ${JSON.stringify(key)}`);
  }
  const { digest, epoch, transactionBytes, data, signatures } = value as Partial<Record<string, unknown>>;
  if (typeof digest !== 'string') throw new InvalidCertificateError('malformed', 'digest must be a string');
  if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 0) {
    throw new InvalidCertificateError('malformed', 'epoch must be a non-negative integer', digest);
  }
  if (!(transactionBytes instanceof Uint8Array)) throw new InvalidCertificateError('malformed', 'transactionBytes must be a Uint8Array', digest);
  if (!Array.isArray(signatures)) throw new InvalidCertificateError('malformed', 'signatures must be an array', digest);
  // A copy of its own: bytes the caller (or another thread, for shared memory) changes later change nothing here.
  return { digest, epoch, bytes: new Uint8Array(transactionBytes), given: data, signatures };
}

/** A carried `data` must re-encode, strictly, to exactly the signed bytes. */
function checkSameTransaction(given: unknown, bytes: Uint8Array, digest: string): void {
  let written: Uint8Array;
  try {
    written = writeTransactionData(scratch.reset(), given).view();
  } catch (error) {
    throw nonCanonical(error, 'data', digest);
  }
  if (written.length !== bytes.length || !sameBytes(written, bytes)) {
    throw new InvalidCertificateError('non-canonical', 'data is not what its transaction bytes encode', digest);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function nonCanonical(error: unknown, what: string, digest: string): InvalidCertificateError {
  const detail = error instanceof NonCanonicalTransactionError ? `${error.path}: ${error.detail}` : `reading it threw: ${String(error)}`;
  return new InvalidCertificateError('non-canonical', `${what} not canonical, at ${detail}`, digest);
}
