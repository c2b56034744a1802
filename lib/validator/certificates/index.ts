/** Committees and the certificates they sign: canonical bytes, quorum signatures, verification. */
export { Committee } from './committee';
export type { Validator } from './committee';
export { generateCommittee } from './generated-committee';
export type { GeneratedCommittee } from './generated-committee';
export { certifyTransaction, transactionDigest, verifyCertificate } from './certified-transaction';
export type { AuthoritySignature, CertifiedTransaction } from './certified-transaction';
