/**
 * Authority signatures in BLS12-381 (min-pk, with `@chainsafe/blst`):
 * member keys with proofs of possession, aggregate quorum signatures over a
 * signer bitmap, and batch verification that finds the bad sets.
 * @packageDocumentation
 */
export { type AuthorityKey, deriveAuthorityKey, verifyProofOfPossession } from './authority-key';
export { verifySignatureSets } from './batch-verification';
export { BlsCommittee, type BlsMember } from './bls-committee';
export { certificateMessage, possessionMessage } from './intent';
export { type AuthorityQuorumSignature, quorumSignatureSet, signQuorum, verifyQuorumSignature } from './quorum-signature';
export { type SignerBitmapProblem, decodeSigners, encodeSigners } from './signer-bitmap';
