import type { AuthorityQuorumSignature } from '../bls/authority-quorum-signature';

/**
 * A copy of a quorum signature's bytes, each field read once: what is
 * checked, cached and sent to a worker is then the same bytes, whatever the
 * caller does with its own arrays afterwards (a network layer reusing its
 * receive buffer, say). Without it, bytes checked at one moment and packed
 * later could be swapped in between, so that a bitmap checked as a quorum is
 * verified as one member, or a verdict is cached under bytes never verified.
 * Fields that are not byte arrays are kept as read, for the checks to refuse.
 */
export function snapshotQuorum(digest: unknown, quorum: AuthorityQuorumSignature): { digest: Uint8Array; quorum: AuthorityQuorumSignature } {
  const { epoch, signature, signers } = quorum;
  return { digest: copyBytes(digest) as Uint8Array, quorum: { epoch, signature: copyBytes(signature) as Uint8Array, signers: copyBytes(signers) as Uint8Array } };
}

function copyBytes(value: unknown): unknown {
  return value instanceof Uint8Array ? Uint8Array.prototype.slice.call(value) : value;
}
