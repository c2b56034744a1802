import { ExecutionDriverError, TransientExecutionError } from '../errors';

/**
 * Why a certificate was refused before it could touch anything.
 * - `malformed`: the certificate is not shaped as one (a field missing, of the wrong type, or unknown; its
 *   quorum signature not 96 bytes, of another epoch than the certificate, or a signer bitmap of the wrong
 *   length for the committee; wire bytes that are not one certificate's encoding).
 * - `non-canonical`: its transaction bytes are not the canonical encoding of one transaction, or the
 *   `data` it carries is not exactly what those bytes decode to.
 * - `digest-mismatch`: its digest is not the digest of its transaction bytes.
 * - `wrong-epoch`: certified in another epoch than the committee's.
 * - `signer-outside-committee`: its signer bitmap names members past the committee (what Sui calls an
 *   unknown signer: with a bitmap, a signer is an index, and no other signer can be named).
 * - `insufficient-stake`: the members its bitmap names hold less than a quorum of stake.
 * - `invalid-signature`: the aggregate is not a point of the signature group, or does not verify for the
 *   members the bitmap names (a forged signature, a member named who did not sign, a key outside the committee).
 */
export type CertificateProblem =
  | 'malformed'
  | 'non-canonical'
  | 'digest-mismatch'
  | 'wrong-epoch'
  | 'signer-outside-committee'
  | 'insufficient-stake'
  | 'invalid-signature';

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

/**
 * A transaction's data or bytes are not in canonical form: a field of the
 * wrong type, an upper-case hex digit, a missing or unknown field (encoding),
 * or bytes that are truncated, trailing, out of range or not minimally
 * encoded (decoding). One transaction has exactly one encoding, so nothing is
 * coerced. `path` names the field, as `gas.price` or `commands.recipient`.
 */
export class NonCanonicalTransactionError extends ExecutionDriverError {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`Non-canonical transaction at ${path}: ${detail}`);
  }
}

/** A committee that cannot be (no members, duplicate names, bad keys or stakes). */
export class InvalidCommitteeError extends ExecutionDriverError {}

/** The certificate handed to the reference state is not a `CertifiedTransaction` (it has no transaction data). */
export class NotACertifiedTransactionError extends ExecutionDriverError {}

/**
 * An input is not in the store at the version the transaction needs (or a
 * shared input has no version assigned yet). Transient: it may appear once
 * the transaction that writes it commits.
 */
export class MissingInputError extends TransientExecutionError {}

/** An owned or immutable input exists at that version but with another digest: the certificate names an object that is not ours. */
export class InputMismatchError extends ExecutionDriverError {}

/**
 * A certificate submitted directly (no shared input) names an owned input or
 * gas coin at a version already spent: the object is past that version, or
 * deleted. It can never execute, so it fails rather than waits (executing it
 * would spend that object a second time). A sequenced certificate in the same
 * case is executed as cancelled instead (see `executeCancelled`).
 */
export class InputSpentError extends ExecutionDriverError {
  constructor(
    readonly digest: string,
    readonly objectId: string,
    /** The version the certificate names. */
    readonly version: number,
    /** The object's latest version, or undefined once deleted. */
    readonly latestVersion: number | undefined,
  ) {
    super(
      `Certificate ${digest} spends input ${objectId} version ${version}, spent already (${latestVersion === undefined ? 'deleted' : `now at version ${latestVersion}`})`,
    );
  }
}

/** The epoch store the execution started with has ended (the state reconfigured). */
export class EpochEndedError extends ExecutionDriverError {}

/**
 * The certificate executed already, in this epoch, and the store's retention
 * (`executedTransactions`) pruned its effects: it is not executed again, and
 * its effects can no longer be given. The pipeline answers such a copy
 * `already-executed` before it reaches the state; this is what a caller that
 * executes directly meets.
 */
export class EffectsPrunedError extends ExecutionDriverError {
  constructor(readonly digest: string) {
    super(`Certificate ${digest} executed already in this epoch; its effects are no longer kept (the store's retention pruned them)`);
  }
}

/**
 * Which admission limit refused a certificate. `awaiting-creation`: the budget
 * of certificates waiting for objects that do not exist yet was full when it
 * arrived; `awaiting-creation-age`: it waited for such an object longer than
 * its age limit. Both are hand-backs of a certificate accepted earlier.
 * `past-limit`: the budget of certificates admitted past the other limits
 * (they may execute at once, or write what a waiting one needs) is full: the
 * call is refused, or one admitted to run turned out to wait while the
 * waiting half was full and is handed back in the same call;
 * `past-limit-age`: one admitted past the limits waited for its own inputs
 * past `maxPastLimitAgeMs` and was handed back. `pending-verification`: the
 * pipeline's signature verifier held its `maxPending` certificates (option
 * `verification`), and the call was refused before any was verified.
 */
export type OverloadLimit =
  | 'pending-and-executing'
  | 'per-object-queue'
  | 'queue-age'
  | 'awaiting-creation'
  | 'awaiting-creation-age'
  | 'past-limit'
  | 'past-limit-age'
  | 'pending-verification';

/**
 * The TransactionManager is over an admission limit (as Sui's
 * `check_execution_overload`). Nothing of the refused call was accepted, and
 * nothing accepted before was dropped: retry later.
 */
export class OverloadedError extends ExecutionDriverError {
  constructor(
    readonly limit: OverloadLimit,
    /** What passed the limit, e.g. `oldest waiting 1204 ms, limit 1000 ms`. */
    readonly detail: string,
    readonly objectId?: string,
  ) {
    super(`Overloaded (${limit}${objectId === undefined ? '' : ` on object ${objectId}`}): ${detail}`);
  }
}

/**
 * The pipeline (or its TransactionManager) has been stopped: `submit` and
 * `commit` refuse, and nothing of the call was kept. Submit to a new pipeline.
 */
export class PipelineStoppedError extends ExecutionDriverError {
  constructor() {
    super('The validator pipeline has stopped: nothing of this call was kept');
  }
}

/** Why a commit was refused: see {@link CommitOrderError}. */
export type CommitOrderProblem = 'went-back' | 'conflicting-redelivery' | 'after-failed-commit';

/**
 * A consensus commit refused for its place in the order; nothing of it was kept:
 * - `went-back`: its index is not above the last one processed (`lastIndex`),
 *   and no commit of that index is known (it was skipped, or is older than the
 *   manager remembers);
 * - `conflicting-redelivery`: one of that index is known, with another digest
 *   or other certificates;
 * - `after-failed-commit`: an earlier commit (`lastIndex` names it) failed
 *   before its shared versions were assigned. Sequencing this one first would
 *   give its certificates versions that ignore the earlier one's, as no other
 *   validator does; deliver the failed commit again, then this one.
 */
export class CommitOrderError extends ExecutionDriverError {
  constructor(
    readonly problem: CommitOrderProblem,
    readonly index: number,
    readonly lastIndex: number,
  ) {
    super(
      problem === 'after-failed-commit'
        ? `Commit ${index} refused (${problem}): commit ${lastIndex} failed before it was sequenced; deliver it again first`
        : `Commit ${index} refused (${problem}): commit ${lastIndex} was already processed`,
    );
  }
}

/** A certificate with shared inputs was submitted directly; only a consensus commit may order it. */
export class ConsensusRequiredError extends ExecutionDriverError {
  constructor(readonly digest: string) {
    super(`Certificate ${digest} has shared inputs: it must come through a consensus commit`);
  }
}
