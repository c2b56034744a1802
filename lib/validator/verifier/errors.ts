import { ExecutionDriverError } from '../../errors';

/*
 * Why the verifier could not give an item a verdict. None of these says the
 * item is forged (that is `InvalidCertificateError`): the item was not
 * verified, so it must not be accepted, and it may be submitted again.
 */

/**
 * The verifier already held its `maxPending` items when this one arrived: it
 * was turned away unverified, at once. Retry it later.
 */
export class VerifierOverloadedError extends ExecutionDriverError {
  constructor(readonly maxPending: number) {
    super(`The certificate verifier holds its ${maxPending} pending items: this one was not verified; retry later`);
  }
}

/**
 * The worker thread verifying this item died, and died again when the item
 * was verified anew (alone or in a smaller batch): it is not verified.
 */
export class VerifierCrashedError extends ExecutionDriverError {
  constructor() {
    super("The verifier's worker threads crashed while verifying this item, the last time with it alone: it is not verified");
  }
}

/**
 * The verifier pool can verify nothing: it was closed (`reason` `closed`), or
 * its worker threads exit before they are ready (`start-failed`, e.g. the
 * worker script cannot be loaded; `detail` says how the last one ended).
 */
export class VerifierClosedError extends ExecutionDriverError {
  constructor(
    readonly reason: 'closed' | 'start-failed',
    readonly detail?: string,
  ) {
    super(reason === 'closed' ? 'The verifier pool is closed' : `The verifier pool's workers fail to start: ${detail ?? 'no detail'}`);
  }
}
