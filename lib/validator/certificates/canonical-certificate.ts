import { describeValue } from '../../describe-value';
import type { CertifiedTransaction } from './certificate-types';
import { writeTransactionData } from '../model/canonical-transaction-encoding';
import { readTransactionData } from '../model/canonical-transaction-decoding';
import { scopedDigest } from '../model/digests';
import { BcsScratch } from '../model/direct-bcs';
import { InvalidCertificateError, NonCanonicalTransactionError } from '../errors';
import type { TransactionData } from '../model/transactions';
import type { AuthorityQuorumSignature } from '../bls/quorum-signature';
import { readCertificateWire } from './certificate-wire';

/** The fields a certificate may carry; `data` is optional (the bytes are the transaction). */
const CERTIFICATE_FIELDS = new Set(['digest', 'epoch', 'transactionBytes', 'data', 'quorumSignature']);
const QUORUM_FIELDS = new Set(['epoch', 'signature', 'signers']);
const SIGNATURE_BYTES = 96;

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

interface CertificateFields {
  readonly digest: string;
  readonly epoch: number;
  readonly bytes: Uint8Array;
  readonly given: unknown;
  readonly quorumSignature: AuthorityQuorumSignature;
}

/**
 * The half of the door that does not depend on a committee: is `value`
 * shaped as a certificate (an object, or its wire bytes: see
 * `encodeCertificate`), are its transaction bytes the canonical encoding of
 * one transaction, is its digest theirs, is the `data` it may carry exactly
 * what they decode to, and is its quorum signature shaped as one (96 bytes,
 * a bitmap, the certificate's epoch)? Whether the signature verifies, and for
 * which committee, is checked elsewhere (`certificateSignatureInput`), over
 * the digest this establishes.
 *
 * Returns a new, frozen certificate: its bytes are copies and its `data` is
 * decoded from them, so nothing the caller still holds can change what
 * executes or what is verified.
 * @throws InvalidCertificateError `malformed`, `digest-mismatch` or `non-canonical`.
 */
export function canonicalCertificate(value: unknown): CertifiedTransaction {
  let fields: CertificateFields;
  try {
    fields = value instanceof Uint8Array ? wireFields(value) : readFields(value);
  } catch (error) {
    if (error instanceof InvalidCertificateError) throw error;
    // A getter or a proxy that throws: refused like any other bad shape.
    throw new InvalidCertificateError('malformed', `reading the certificate threw: ${describeValue(error)}`);
  }
  const { digest, epoch, bytes, given, quorumSignature } = fields;
  // Wire bytes carry no digest: `wireFields` computed it from these very bytes, so only a given one is checked.
  if (!(value instanceof Uint8Array)) {
    const actualDigest = scopedDigest('TransactionData', bytes);
    if (actualDigest !== digest) throw new InvalidCertificateError('digest-mismatch', `its transaction bytes digest to ${actualDigest}`, digest);
  }
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
  return Object.freeze({ digest, epoch, transactionBytes: bytes, data, quorumSignature });
}

/** Wire bytes: the digest is computed from the transaction bytes, so it cannot mismatch. */
function wireFields(wire: Uint8Array): CertificateFields {
  const { transactionBytes, quorumSignature } = readCertificateWire(wire);
  const digest = scopedDigest('TransactionData', transactionBytes);
  return { digest, epoch: quorumSignature.epoch, bytes: transactionBytes, given: undefined, quorumSignature };
}

function readFields(value: unknown): CertificateFields {
  if (typeof value !== 'object' || value === null) throw new InvalidCertificateError('malformed', 'not an object, nor wire bytes');
  for (const key in value) {
    if (!CERTIFICATE_FIELDS.has(key)) throw new InvalidCertificateError('malformed', `unknown field ${JSON.stringify(key)}`);
  }
  const { digest, epoch, transactionBytes, data, quorumSignature } = value as Partial<Record<string, unknown>>;
  if (typeof digest !== 'string') throw new InvalidCertificateError('malformed', 'digest must be a string');
  if (!isEpoch(epoch)) throw new InvalidCertificateError('malformed', 'epoch must be a non-negative integer', digest);
  if (!(transactionBytes instanceof Uint8Array)) throw new InvalidCertificateError('malformed', 'transactionBytes must be a Uint8Array', digest);
  // Copies of its own: bytes the caller (or another thread, for shared memory) changes later change nothing here.
  return { digest, epoch, bytes: new Uint8Array(transactionBytes), given: data, quorumSignature: copyQuorumSignature(quorumSignature, epoch, digest) };
}

function isEpoch(epoch: unknown): epoch is number {
  return typeof epoch === 'number' && Number.isSafeInteger(epoch) && epoch >= 0 && !Object.is(epoch, -0);
}

/**
 * The quorum signature, copied into a frozen `{ epoch, signature, signers }`
 * with bytes of its own: nothing of the caller's object (a getter, a Proxy)
 * runs after this, and nothing it holds can change what is verified. Called
 * inside the door's guard: a throw here is a `malformed` refusal.
 */
function copyQuorumSignature(quorum: unknown, certificateEpoch: number, digest: string): AuthorityQuorumSignature {
  if (typeof quorum !== 'object' || quorum === null) throw new InvalidCertificateError('malformed', 'quorumSignature must be an object', digest);
  let fields = 0;
  for (const key in quorum) {
    if (!QUORUM_FIELDS.has(key)) throw new InvalidCertificateError('malformed', `the quorum signature has an unknown field ${JSON.stringify(key)}`, digest);
    fields++;
  }
  const { epoch, signature, signers } = quorum as Partial<Record<string, unknown>>;
  if (fields !== QUORUM_FIELDS.size || !isEpoch(epoch) || !(signature instanceof Uint8Array) || !(signers instanceof Uint8Array)) {
    throw new InvalidCertificateError('malformed', 'a quorum signature is an epoch, signature bytes and signer bitmap bytes, and nothing else', digest);
  }
  if (epoch !== certificateEpoch) {
    throw new InvalidCertificateError('malformed', `its quorum signature is of epoch ${epoch}, the certificate of epoch ${certificateEpoch}`, digest);
  }
  const ownSignature = new Uint8Array(signature);
  if (ownSignature.length !== SIGNATURE_BYTES) throw new InvalidCertificateError('malformed', `an aggregate signature is ${SIGNATURE_BYTES} bytes, got ${ownSignature.length}`, digest);
  return Object.freeze({ epoch, signature: ownSignature, signers: new Uint8Array(signers) });
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
  const detail = error instanceof NonCanonicalTransactionError ? `${error.path}: ${error.detail}` : `reading it threw: ${describeValue(error)}`;
  return new InvalidCertificateError('non-canonical', `${what} not canonical, at ${detail}`, digest);
}
