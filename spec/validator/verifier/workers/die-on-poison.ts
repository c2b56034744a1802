// Fault injection: the verifier's worker, which throws (an uncaught error ends
// the thread) on any batch holding a digest whose bytes 28 to 31 are de ad be ef.
import './throw-on-poison';
import '../../../../lib/validator/verifier/verify-worker';
