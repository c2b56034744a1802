/** Committees and the certificates they sign: canonical bytes, BLS quorum signatures, verification. */
export { Committee } from './committee';
export type { Validator } from './committee';
export { generateCommittee } from './generated-committee';
export type { CommitteeSigner, GeneratedCommittee } from './generated-committee';
export { certifyTransaction, decodeCertificate, transactionDigest, verifyCertificate } from './certified-transaction';
export type { CertifiedTransaction } from './certified-transaction';
export { certificateSignatureInput } from './certificate-signature-input';
export type { CertificateSignatureInput } from './certificate-signature-input';
export { encodeCertificate } from './certificate-wire';
