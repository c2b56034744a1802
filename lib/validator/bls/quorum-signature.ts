import { Signature, type SignatureSet, aggregateSignatures, verify } from '@chainsafe/blst';
import { InvalidCertificateError } from '../errors';
import type { AuthorityKey } from './authority-key';
import type { BlsCommittee } from './bls-committee';
import { certificateMessage } from './intent';
import { decodeSigners, encodeSigners } from './signer-bitmap';

/** A quorum's signature on a certificate, as Sui's `AuthorityQuorumSignInfo`: one aggregate and who signed. */
export interface AuthorityQuorumSignature {
  readonly epoch: number;
  /** The aggregate of the signers' signatures, 96 bytes compressed. */
  readonly signature: Uint8Array;
  /** The signers, a bitmap over the committee's order (see `encodeSigners`). */
  readonly signers: Uint8Array;
}

const SIGNATURE_BYTES = 96;

/** The committee members at `signers` certify `digest` (32 bytes): one aggregate signature. */
export function signQuorum(
  committee: BlsCommittee,
  digest: Uint8Array,
  signers: readonly { readonly index: number; readonly key: AuthorityKey }[],
): AuthorityQuorumSignature {
  const message = certificateMessage(committee.epoch, digest);
  const signature = aggregateSignatures(signers.map(({ key }) => key.secretKey.sign(message)), false).toBytes(true);
  return { epoch: committee.epoch, signature, signers: encodeSigners(signers.map((s) => s.index), committee.size) };
}

/**
 * Everything about `quorum` short of the pairing: its epoch, its bitmap, the
 * signers' stake and the signature's encoding (parsed with blst's subgroup
 * check). Returns the one set the pairing must verify: the message, the
 * signers' aggregate key and the signature. Cheap (no pairing), so a batch
 * verifier runs it per certificate and pairs many sets at once.
 * @throws InvalidCertificateError `malformed`, `wrong-epoch`, `signer-outside-committee` or `insufficient-stake`.
 */
export function quorumSignatureSet(committee: BlsCommittee, digest: Uint8Array, quorum: AuthorityQuorumSignature, digestHex?: string): SignatureSet {
  const { epoch, signature, signers } = quorum;
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES || !(signers instanceof Uint8Array)) {
    throw new InvalidCertificateError('malformed', 'a quorum signature is 96 bytes and a signer bitmap', digestHex);
  }
  if (epoch !== committee.epoch) {
    throw new InvalidCertificateError('wrong-epoch', `certified in epoch ${String(epoch)}, committee is of epoch ${committee.epoch}`, digestHex);
  }
  const indices = decodeSigners(signers, committee.size);
  if (indices === 'outside-committee') {
    throw new InvalidCertificateError('signer-outside-committee', `the signer bitmap names members past the committee's ${committee.size}`, digestHex);
  }
  if (indices === 'wrong-length') {
    throw new InvalidCertificateError('malformed', `the signer bitmap is ${signers.length} bytes, not ${Math.ceil(committee.size / 8)}`, digestHex);
  }
  const stake = indices === 'no-signer' ? 0 : committee.stakeOf(indices);
  if (indices === 'no-signer' || stake < committee.quorumThreshold) {
    throw new InvalidCertificateError('insufficient-stake', `signers hold ${stake} of the ${committee.quorumThreshold} needed`, digestHex);
  }
  let sig: Signature;
  try {
    sig = Signature.fromBytes(signature, true);
  } catch {
    throw new InvalidCertificateError('invalid-signature', 'the aggregate signature is not a point of the signature group', digestHex);
  }
  return { msg: certificateMessage(epoch, digest), pk: committee.aggregateKey(indices), sig };
}

/**
 * One certificate's quorum, checked alone (the single path).
 * @throws InvalidCertificateError as `quorumSignatureSet`, or `invalid-signature`.
 */
export function verifyQuorumSignature(committee: BlsCommittee, digest: Uint8Array, quorum: AuthorityQuorumSignature, digestHex?: string): void {
  const set = quorumSignatureSet(committee, digest, quorum, digestHex);
  if (!verify(set.msg, set.pk, set.sig, false, false)) {
    throw new InvalidCertificateError('invalid-signature', 'the aggregate signature does not verify for its signers', digestHex);
  }
}
