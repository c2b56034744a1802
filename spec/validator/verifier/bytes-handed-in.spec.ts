import { Subject, VirtualTimeScheduler, lastValueFrom, toArray } from 'rxjs';
import { type AuthorityQuorumSignature, encodeSigners, signQuorum, verifyQuorumSignature } from '../../../lib/validator/bls';
import { InvalidCertificateError } from '../../../lib/validator/errors';
import {
  type CertificateVerification,
  type QuorumCheck,
  type QuorumCheckResult,
  type QuorumVerifier,
  QuorumVerifierPool,
  VerifiedDigestCache,
  verifyCertificates,
} from '../../../lib/validator/verifier';
import { blsCommittee } from '../bls/fixtures';
import { digestOf } from './fixtures';

/*
 * What is verified is the bytes as they were handed in. A caller that
 * reuses its arrays (a network layer's receive buffer) may change them
 * before the batch leaves for a worker: neither a check made on the old
 * bytes nor a cache entry may then stand for the new ones.
 */
const { committee, keys } = blsCommittee(4);
const members = keys.map((key, index) => ({ index, key }));
const digest = digestOf(7);
const quorum = signQuorum(committee, digest, members.slice(0, 3));
/** One member's signature under a bitmap naming three: a forgery the single path refuses. */
const oneSigner = signQuorum(committee, digest, members.slice(0, 1));
const forgedQuorum = (): AuthorityQuorumSignature => ({ epoch: 0, signature: new Uint8Array(oneSigner.signature), signers: new Uint8Array(quorum.signers) });

/** Verifies on the main thread, with the bytes it is given when the batch leaves. */
class MainThreadVerifier implements QuorumVerifier {
  readonly batchSize = 64;
  verify(checks: readonly QuorumCheck[]): Promise<QuorumCheckResult[]> {
    return Promise.resolve(
      checks.map((c) => {
        try {
          verifyQuorumSignature(c.committee, c.digest, c.quorum);
          return undefined;
        } catch (error) {
          return error as InvalidCertificateError;
        }
      }),
    );
  }
}

const kinds = (results: readonly CertificateVerification<{ quorum: AuthorityQuorumSignature }>[]) =>
  results.map((v) => (v.kind === 'verified' ? `verified${v.duplicate ? ' (duplicate)' : ''}` : v.kind));

describe('verifyCertificates verifies the bytes handed in', () => {
  function operator(cache: VerifiedDigestCache) {
    const scheduler = new VirtualTimeScheduler();
    const input = new Subject<{ quorum: AuthorityQuorumSignature }>();
    const out = lastValueFrom(
      input.pipe(verifyCertificates({ pool: new MainThreadVerifier(), cache, scheduler, signatureOf: (item) => ({ digest, quorum: item.quorum }), committeeFor: () => committee }), toArray()),
    );
    return { scheduler, input, out };
  }

  it('a forgery whose signature bytes become valid inside the batch window is refused, and nothing forged is cached', async () => {
    const cache = new VerifiedDigestCache();
    const { scheduler, input, out } = operator(cache);
    const item = { quorum: forgedQuorum() };
    input.next(item);
    item.quorum.signature.set(quorum.signature); // the buffer reused before the window closes
    scheduler.flush();
    input.complete();
    expect(kinds(await out)).toEqual(['refused']);
    // A fresh copy of the forgery is not a cache hit: it is verified, and refused again.
    const again = operator(cache);
    again.input.next({ quorum: forgedQuorum() });
    again.scheduler.flush();
    again.input.complete();
    expect(kinds(await again.out)).toEqual(['refused']);
  });

  it('a valid certificate whose bytes are overwritten with a forgery inside the window is verified as handed in, and only its bytes are cached', async () => {
    const cache = new VerifiedDigestCache();
    const { scheduler, input, out } = operator(cache);
    const item = { quorum: { epoch: 0, signature: new Uint8Array(quorum.signature), signers: new Uint8Array(quorum.signers) } };
    input.next(item);
    item.quorum.signature.set(oneSigner.signature);
    scheduler.flush();
    input.complete();
    expect(kinds(await out)).toEqual(['verified']);
    const again = operator(cache);
    again.input.next({ quorum: forgedQuorum() });
    again.input.next({ quorum: { epoch: 0, signature: new Uint8Array(quorum.signature), signers: new Uint8Array(quorum.signers) } });
    again.scheduler.flush();
    again.input.complete();
    expect(kinds(await again.out)).toEqual(['refused', 'verified (duplicate)']);
  });
});

describe('QuorumVerifierPool verifies the bytes handed in', () => {
  let pool: QuorumVerifierPool;
  beforeAll(() => {
    pool = new QuorumVerifierPool({ workers: 1 });
  });
  afterAll(() => pool.close());

  it('a bitmap checked as a quorum and changed to one member before the batch leaves is still verified as the quorum it was', async () => {
    // One member's aggregate: valid for a bitmap naming that member alone, which has no quorum.
    const signers = new Uint8Array(quorum.signers);
    const verdicts = pool.verify([{ committee, digest, quorum: { epoch: 0, signature: oneSigner.signature, signers } }]);
    signers.set(encodeSigners([0], 4));
    const [verdict] = await verdicts;
    expect(verdict).toBeInstanceOf(InvalidCertificateError);
    expect((verdict as InvalidCertificateError).problem).toBe('invalid-signature');
  });

  it('a digest, signature and bitmap all overwritten after the call, while the worker is busy, change nothing', async () => {
    // Keep the one worker busy (it takes two batches at a time), so the check below waits in the pool's queue.
    const busy = [0, 1, 2].map(() => pool.verify(Array.from({ length: 64 }, () => ({ committee, digest, quorum }))));
    const check = { committee, digest: new Uint8Array(digest), quorum: { epoch: 0, signature: new Uint8Array(quorum.signature), signers: new Uint8Array(quorum.signers) } };
    const verdicts = pool.verify([check]);
    check.digest.fill(0);
    check.quorum.signature.set(oneSigner.signature);
    check.quorum.signers.set(encodeSigners([0], 4));
    expect(await verdicts).toEqual([undefined]);
    for (const results of await Promise.all(busy)) expect(results.every((r) => r === undefined)).toBe(true);
  });
});
