import { type ExecutionOutcome, MalformedCertificateError } from '../../lib';
import { brief, certificates, resultOf } from '../../lib/testing';

describe('certificates', () => {
  it('makes one pending certificate per letter, with epochs and expected effects as asked', () => {
    expect(certificates('a b', { epoch: { b: 3 }, expectEffects: 'b' })).toEqual({
      a: { certificate: { digest: 'a', epoch: 0 } },
      b: { certificate: { digest: 'b', epoch: 3 }, expectedEffectsDigest: resultOf('b').effects.digest },
    });
    expect(certificates('c', { epoch: 2 }).c?.certificate.epoch).toBe(2);
  });
});

describe('brief', () => {
  it('names the kind, the digest and the reason', () => {
    const pending = { certificate: { digest: 'a', epoch: 0 } };
    const outcomes: ExecutionOutcome[] = [
      { kind: 'executed', digest: 'a', pending, queueingDelayMs: 0, latencyMs: 1, attempts: 1, effects: { digest: 'fx-a' }, events: [] },
      { kind: 'skipped', digest: 'a', pending, queueingDelayMs: 0, reason: 'wrong-epoch' },
      { kind: 'failed', digest: 'a', pending, queueingDelayMs: 0, reason: 'malformed-certificate', error: new MalformedCertificateError('x', null), attempts: 0 },
    ];
    expect(outcomes.map(brief)).toEqual(['executed:a', 'skipped:a:wrong-epoch', 'failed:a:malformed-certificate']);
  });
});
