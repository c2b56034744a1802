// Fault injection: the verifier's worker, ended (process.exit in a worker ends
// only its thread) on the first batches while the shared counter is above zero.
import './exit-on-verify-while-counter';
import '../../../../lib/validator/verifier/verify-worker';
