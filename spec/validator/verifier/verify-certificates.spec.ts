import { Subject, VirtualTimeScheduler, from, lastValueFrom, toArray } from 'rxjs';
import { type AuthorityQuorumSignature, verifyQuorumSignature } from '../../../lib/validator/bls';
import { InvalidOptionError } from '../../../lib/errors';
import { InvalidCertificateError } from '../../../lib/validator/errors';
import {
  type CertificateVerification,
  type QuorumCheck,
  type QuorumCheckResult,
  type QuorumVerifier,
  VerifiedDigestCache,
  VerifierClosedError,
  VerifierOverloadedError,
  type VerifyCertificatesOptions,
  verifyCertificates,
} from '../../../lib/validator/verifier';
import { digestOf, quorumFixture } from './fixtures';

const { committee, sign } = quorumFixture(4);

interface Cert {
  readonly id: string;
  readonly digest: Uint8Array;
  readonly quorum: AuthorityQuorumSignature;
}
const cert = (n: number, quorum = sign(digestOf(n))): Cert => ({ id: `c${n}`, digest: digestOf(n), quorum });
const forged = (n: number): Cert => cert(n, sign(digestOf(n + 10_000)));

/** A verifier on the main thread that records its batches and can hold them back: the operator's logic alone. */
class StubVerifier implements QuorumVerifier {
  readonly batchSize = 64;
  readonly batches: string[][] = [];
  hold = false;
  private readonly held: (() => void)[] = [];
  rejectWith?: Error;

  verify(checks: readonly QuorumCheck[]): Promise<QuorumCheckResult[]> {
    this.batches.push(checks.map((c) => c.digestHex ?? '?'));
    if (this.rejectWith !== undefined) return Promise.reject(this.rejectWith);
    const results = checks.map((c): QuorumCheckResult => {
      try {
        verifyQuorumSignature(c.committee, c.digest, c.quorum, c.digestHex);
        return undefined;
      } catch (error) {
        return error as InvalidCertificateError;
      }
    });
    if (!this.hold) return Promise.resolve(results);
    return new Promise((resolve) => this.held.push(() => resolve(results)));
  }

  /** Resolves the held batches, the last held first. */
  releaseInReverse(): void {
    for (const release of this.held.splice(0).reverse()) release();
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const brief = (v: CertificateVerification<Cert>) =>
  v.kind === 'verified' ? `${v.item.id}:ok${v.duplicate ? '(dup)' : ''}` : `${v.item.id}:${v.error instanceof InvalidCertificateError ? v.error.problem : v.error.name}`;

function harness(options: Partial<VerifyCertificatesOptions<Cert>> = {}) {
  const stub = new StubVerifier();
  const scheduler = new VirtualTimeScheduler();
  const input = new Subject<Cert>();
  const out: string[] = [];
  let completed = false;
  let error: unknown;
  input
    .pipe(
      verifyCertificates<Cert>({
        signatureOf: (c) => ({ digest: c.digest, quorum: c.quorum, digestHex: c.id }),
        committeeFor: (epoch) => (epoch === committee.epoch ? committee : undefined),
        pool: stub,
        scheduler,
        ...options,
      }),
    )
    .subscribe({ next: (v) => out.push(brief(v)), complete: () => (completed = true), error: (e: unknown) => (error = e) });
  return { stub, scheduler, input, out, completed: () => completed, error: () => error };
}

describe('verifyCertificates: batching, order, bounds (a stand-in verifier, virtual time)', () => {
  it('sends a batch when it is full, and the rest when the window closes', async () => {
    const h = harness({ maxBatchSize: 4, maxWaitMs: 5 });
    for (let n = 0; n < 10; n++) h.input.next(cert(n));
    expect(h.stub.batches.map((b) => b.length)).toEqual([4, 4]);
    h.scheduler.flush(); // the 5 ms window of the open batch closes
    expect(h.stub.batches.map((b) => b.length)).toEqual([4, 4, 2]);
    await settle();
    expect(h.out).toEqual(Array.from({ length: 10 }, (_, n) => `c${n}:ok`));
  });

  it('holds no lone item past the window: one item is sent alone when it closes', () => {
    const h = harness({ maxWaitMs: 2 });
    h.input.next(cert(1));
    expect(h.stub.batches).toEqual([]);
    h.scheduler.flush();
    expect(h.stub.batches).toEqual([['c1']]);
    expect(h.scheduler.now()).toBe(2);
  });

  it('emits in input order, whatever order the batches come back in, refusals in their place', async () => {
    const h = harness({ maxBatchSize: 2 });
    h.stub.hold = true;
    [cert(0), forged(1), cert(2), cert(3), forged(4), cert(5)].forEach((c) => h.input.next(c));
    h.stub.releaseInReverse();
    await settle();
    expect(h.out).toEqual(['c0:ok', 'c1:invalid-signature', 'c2:ok', 'c3:ok', 'c4:invalid-signature', 'c5:ok']);
  });

  it('turns away an item past maxPending at once, unverified, ahead of the earlier ones; the rest are verified', async () => {
    const h = harness({ maxPending: 3, maxBatchSize: 3 });
    h.stub.hold = true;
    for (let n = 0; n < 5; n++) h.input.next(cert(n));
    expect(h.out).toEqual(['c3:VerifierOverloadedError', 'c4:VerifierOverloadedError']);
    h.stub.releaseInReverse();
    await settle();
    expect(h.out.slice(2)).toEqual(['c0:ok', 'c1:ok', 'c2:ok']);
    h.stub.hold = false;
    h.input.next(cert(6)); // room again
    h.scheduler.flush();
    await settle();
    expect(h.out.at(-1)).toBe('c6:ok');
  });

  it('verifies a duplicate once: from the cache after, joined to the first while in flight; a forged twin is verified and refused', async () => {
    const h = harness();
    h.input.next(cert(1));
    h.input.next(cert(1)); // while the first is in the open batch
    h.scheduler.flush();
    await settle();
    h.input.next(cert(1)); // after: the cache
    h.input.next(forged(1)); // same digest, another signature: not a hit
    h.scheduler.flush();
    await settle();
    expect(h.out).toEqual(['c1:ok', 'c1:ok(dup)', 'c1:ok(dup)', 'c1:invalid-signature']);
    expect(h.stub.batches).toEqual([['c1'], ['c1']]);
  });

  it('keeps only capacity entries, the least recently used forgotten first', async () => {
    const h = harness({ cache: new VerifiedDigestCache(2) });
    for (const n of [1, 2, 1, 3, 1, 2]) {
      h.input.next(cert(n));
      h.scheduler.flush();
      await settle();
    }
    // 1 and 2 cached; 1 used again; 3 evicts 2 (least recent); 1 still there; 2 verified anew.
    expect(h.stub.batches).toEqual([['c1'], ['c2'], ['c3'], ['c2']]);
    expect(h.out).toEqual(['c1:ok', 'c2:ok', 'c1:ok(dup)', 'c3:ok', 'c1:ok(dup)', 'c2:ok']);
  });

  it('caches nothing with cache: false, and never a refusal', async () => {
    const h = harness({ cache: false });
    for (const c of [cert(1), cert(1), forged(2), forged(2)]) {
      h.input.next(c);
      h.scheduler.flush();
      await settle();
    }
    expect(h.stub.batches).toHaveLength(4);
    expect(h.out).toEqual(['c1:ok', 'c1:ok', 'c2:invalid-signature', 'c2:invalid-signature']);
  });

  it("refuses what the accessor refuses, a quorum of an epoch without committee, and errors the stream on the accessor's bug", () => {
    const h = harness({
      signatureOf: (c) => {
        if (c.id === 'c7') throw new InvalidCertificateError('digest-mismatch', 'not its bytes', c.id);
        if (c.id === 'c8') throw new TypeError('a bug');
        return { digest: c.digest, quorum: c.quorum, digestHex: c.id };
      },
    });
    h.input.next(cert(7));
    h.input.next(cert(5, { ...sign(digestOf(5)), epoch: 9 }));
    h.input.next(cert(6, { ...sign(digestOf(6)), epoch: 9, signature: new Uint8Array(3) }));
    expect(h.out).toEqual(['c7:digest-mismatch', 'c5:wrong-epoch', 'c6:malformed']);
    h.input.next(cert(8));
    expect(h.error()).toBeInstanceOf(TypeError);
  });

  it('gives unverified verdicts, typed, when the verifier is closed under it', async () => {
    const h = harness();
    h.stub.rejectWith = new VerifierClosedError('closed');
    h.input.next(cert(1));
    h.scheduler.flush();
    await settle();
    expect(h.out).toEqual(['c1:VerifierClosedError']);
  });

  it('completes after the last pending verdict, not before', async () => {
    const h = harness();
    h.stub.hold = true;
    h.input.next(cert(1));
    h.input.complete(); // sends the open batch at once
    expect(h.stub.batches).toEqual([['c1']]);
    await settle();
    expect(h.completed()).toBe(false);
    h.stub.releaseInReverse();
    await settle();
    expect(h.out).toEqual(['c1:ok']);
    expect(h.completed()).toBe(true);
  });

  it('refuses options out of range with a typed error', () => {
    const base = { signatureOf: (c: Cert) => c, committeeFor: () => committee };
    expect(() => verifyCertificates({ ...base, maxPending: 0 })).toThrow(InvalidOptionError);
    expect(() => verifyCertificates({ ...base, maxWaitMs: -1 })).toThrow(/maxWaitMs/);
    expect(() => verifyCertificates({ ...base, maxBatchSize: 2.5 })).toThrow(/maxBatchSize/);
    expect(() => verifyCertificates({ ...base, workers: 0 })).toThrow(/workers/);
    expect(() => verifyCertificates({ ...base, committeeFor: undefined as never })).toThrow(/committeeFor/);
  });

  it('the overload refusal names the bound', () => {
    expect(new VerifierOverloadedError(3).message).toMatch(/3 pending items/);
  });
});

describe('verifyCertificates on its own pool of worker threads', () => {
  jest.setTimeout(60_000);
  it('verifies a stream, one verdict per item in input order, and completes', async () => {
    const certs = Array.from({ length: 100 }, (_, n) => (n % 9 === 4 ? forged(n) : cert(n)));
    const verdicts = await lastValueFrom(
      from(certs).pipe(verifyCertificates<Cert>({ workers: 2, signatureOf: (c) => ({ digest: c.digest, quorum: c.quorum, digestHex: c.id }), committeeFor: () => committee }), toArray()),
    );
    expect(verdicts.map(brief)).toEqual(certs.map((c, n) => (n % 9 === 4 ? `${c.id}:invalid-signature` : `${c.id}:ok`)));
  });
});
