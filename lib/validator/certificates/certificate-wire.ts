import { BcsReader } from '../model/bcs-reader';
import type { AuthorityQuorumSignature } from '../bls/quorum-signature';
import { InvalidCertificateError, NonCanonicalTransactionError } from '../errors';
import type { CertifiedTransaction } from './certificate-types';

/**
 * A certificate's wire form, in BCS, as Sui sends a `CertifiedTransaction`:
 * the transaction's bytes, then the quorum signature (`AuthorityQuorumSignInfo`):
 *
 *     transactionBytes: vector<u8>   ULEB128 length, then the canonical transaction bytes
 *     epoch:            u64          little-endian, at most 2^53 - 1
 *     signature:        [u8; 96]     the aggregate, compressed
 *     signers:          vector<u8>   ULEB128 length, then the signer bitmap
 *
 * No digest: it is the transaction bytes' digest, computed where they
 * arrive. Every certificate has exactly one encoding: a length not minimally
 * encoded, bytes left over or missing, or an epoch past 2^53 - 1 are refused.
 */

/** What the wire form carries, framing checked; the transaction bytes are not decoded here. */
export interface CertificateWireFields {
  readonly transactionBytes: Uint8Array;
  readonly quorumSignature: AuthorityQuorumSignature;
}

const SIGNATURE_BYTES = 96;
const MAX_SAFE_EPOCH = Number.MAX_SAFE_INTEGER;

/**
 * The wire bytes of a certificate.
 * @throws InvalidCertificateError `malformed` if its quorum signature is not 96 bytes or its epoch not a safe non-negative integer.
 */
export function encodeCertificate(certificate: Pick<CertifiedTransaction, 'transactionBytes' | 'quorumSignature'>): Uint8Array {
  const { transactionBytes, quorumSignature } = certificate;
  const { epoch, signature, signers } = quorumSignature;
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES || !(signers instanceof Uint8Array)) {
    throw new InvalidCertificateError('malformed', 'a quorum signature is 96 bytes and a signer bitmap');
  }
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new InvalidCertificateError('malformed', 'epoch must be a non-negative integer');
  const txLength = uleb128(transactionBytes.length);
  const signersLength = uleb128(signers.length);
  const out = new Uint8Array(txLength.length + transactionBytes.length + 8 + SIGNATURE_BYTES + signersLength.length + signers.length);
  let at = 0;
  const put = (bytes: Uint8Array) => {
    out.set(bytes, at);
    at += bytes.length;
  };
  put(txLength);
  put(transactionBytes);
  new DataView(out.buffer).setBigUint64(at, BigInt(epoch), true);
  at += 8;
  put(signature);
  put(signersLength);
  put(signers);
  return out;
}

/**
 * The fields of wire bytes, read from one copy of their own (bytes the
 * caller changes meanwhile change nothing), the framing read strictly. The
 * fields are views into that one copy: one allocation a certificate rather
 * than four (a typed array's own memory costs microseconds to allocate and
 * collect; recovery reads a hundred thousand of these at once).
 * @throws InvalidCertificateError `malformed`, naming the field and the byte.
 */
export function readCertificateWire(bytes: Uint8Array): CertificateWireFields {
  const own = new Uint8Array(bytes);
  const reader = new BcsReader(own);
  try {
    const transactionBytes = reader.raw(reader.length('transactionBytes', 1), 'transactionBytes');
    const epoch = reader.u64('epoch');
    if (epoch > BigInt(MAX_SAFE_EPOCH)) reader.fail('epoch', 'an epoch above 2^53 - 1', 8);
    const signature = reader.raw(SIGNATURE_BYTES, 'signature');
    const signers = reader.raw(reader.length('signers', 1), 'signers');
    reader.end('the certificate');
    return { transactionBytes, quorumSignature: Object.freeze({ epoch: Number(epoch), signature, signers }) };
  } catch (error) {
    if (error instanceof NonCanonicalTransactionError) {
      throw new InvalidCertificateError('malformed', `certificate bytes not canonical at ${error.path}: ${error.detail}`);
    }
    throw error;
  }
}

/** A ULEB128 length, as BCS writes it. */
function uleb128(value: number): Uint8Array {
  const out: number[] = [];
  let rest = value;
  do {
    const low = rest & 0x7f;
    rest = Math.floor(rest / 0x80);
    out.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return Uint8Array.from(out);
}
