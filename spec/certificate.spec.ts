import { describeMalformedCertificate } from '../lib';

describe('describeMalformedCertificate', () => {
  it('accepts a well-formed pending certificate', () => {
    expect(describeMalformedCertificate({ certificate: { digest: 'a', epoch: 0 } })).toBeUndefined();
    expect(
      describeMalformedCertificate({
        certificate: { digest: 'a', epoch: 3 },
        commit: { digest: 'c', index: 7 },
        expectedEffectsDigest: 'fx',
      }),
    ).toBeUndefined();
  });

  it.each([
    [null, 'pending certificate is not an object'],
    ['a', 'pending certificate is not an object'],
    [{}, 'certificate is missing'],
    [{ certificate: { epoch: 0 } }, 'certificate digest must be a non-empty string'],
    [{ certificate: { digest: '', epoch: 0 } }, 'certificate digest must be a non-empty string'],
    [{ certificate: { digest: 'a' } }, 'certificate epoch must be a non-negative integer'],
    [{ certificate: { digest: 'a', epoch: -1 } }, 'certificate epoch must be a non-negative integer'],
    [{ certificate: { digest: 'a', epoch: 1.5 } }, 'certificate epoch must be a non-negative integer'],
    [{ certificate: { digest: 'a', epoch: 0 }, commit: 5 }, 'commit must be an object'],
    [{ certificate: { digest: 'a', epoch: 0 }, commit: { index: 1 } }, 'commit digest must be a string'],
    [{ certificate: { digest: 'a', epoch: 0 }, commit: { digest: 'c', index: -2 } }, 'commit index must be a non-negative integer'],
    [{ certificate: { digest: 'a', epoch: 0 }, expectedEffectsDigest: 1 }, 'expectedEffectsDigest must be a string'],
  ])('rejects %j: %s', (value, problem) => {
    expect(describeMalformedCertificate(value)).toBe(problem);
  });
});
