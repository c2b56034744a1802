/**
 * Batch verification of BLS quorum signatures on all cores: a pool of
 * worker threads (`QuorumVerifierPool`) and the RxJS operator
 * `verifyCertificates`, which batches by size and time, bounds what it
 * holds, caches verified quorums and gives the single path's refusals.
 * @packageDocumentation
 */
export { batchBySizeOrTime } from './batch-by-size-or-time';
export { VerifierClosedError, VerifierCrashedError, VerifierOverloadedError } from './errors';
export {
  type QuorumCheck,
  type QuorumCheckResult,
  type QuorumVerifier,
  QuorumVerifierPool,
  type QuorumVerifierPoolOptions,
  type VerifierPoolStats,
} from './verifier-pool';
export { VerifiedDigestCache } from './verified-digest-cache';
export {
  type CertificateVerification,
  type QuorumSignatureInput,
  type VerifierUnavailable,
  type VerifyCertificatesOptions,
  verifyCertificates,
} from './verify-certificates';
export { type WorkerScript, defaultWorkerScript } from './worker-script';
