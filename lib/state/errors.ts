import { ExecutionDriverError } from '../errors';

/** Why a certificate was refused before it could touch anything. */
export type CertificateProblem =
  | 'malformed'
  | 'digest-mismatch'
  | 'wrong-epoch'
  | 'unknown-signer'
  | 'duplicate-signer'
  | 'invalid-signature'
  | 'insufficient-stake';

/** A certificate that is forged, malformed, under-signed or of another epoch. Nothing was changed. */
export class InvalidCertificateError extends ExecutionDriverError {
  constructor(
    readonly problem: CertificateProblem,
    detail: string,
    readonly digest?: string,
  ) {
    super(`Invalid certificate${digest === undefined ? '' : ` ${digest}`} (${problem}): ${detail}`);
  }
}

/** A committee that cannot be (no members, duplicate names, bad keys or stakes). */
export class InvalidCommitteeError extends ExecutionDriverError {}
