import fc from 'fast-check';
import path from 'node:path';
import { type AuthorityQuorumSignature, encodeSigners, signQuorum } from '../../../lib/validator/bls';
import { InvalidCertificateError } from '../../../lib/validator/errors';
import { InvalidOptionError } from '../../../lib/errors';
import { type QuorumCheck, QuorumVerifierPool, VerifierClosedError, VerifierCrashedError } from '../../../lib/validator/verifier';
import { crashingWorker, digestOf, poisonDigest, poisonedWorker, quorumFixture, singleVerdict } from './fixtures';

const ten = quorumFixture(10);
const { committee, sign } = ten;

/** The pool's verdict in the single path's words. */
const verdictOf = (result: unknown): string => {
  if (result === undefined) return 'accepted';
  if (result instanceof InvalidCertificateError) return result.problem;
  return (result as Error).name;
};

type Variant =
  | 'genuine'
  | 'other-digest'
  | 'flipped-signature-bit'
  | 'flipped-signer-bit'
  | 'extra-signer'
  | 'under-signed'
  | 'wrong-epoch'
  | 'short-signature'
  | 'long-bitmap'
  | 'no-signer';

/** One quorum of a kind, for digest `digest`; `bit` picks the bit a flip changes. */
function quorumOf(variant: Variant, digest: Uint8Array, bit: number): AuthorityQuorumSignature {
  const genuine = sign(digest);
  switch (variant) {
    case 'genuine':
      return genuine;
    case 'other-digest':
      return sign(digestOf(9_999));
    case 'flipped-signature-bit': {
      const signature = Uint8Array.from(genuine.signature);
      signature[(bit >> 3) % 96] = (signature[(bit >> 3) % 96] ?? 0) ^ (1 << (bit & 7));
      return { ...genuine, signature };
    }
    case 'flipped-signer-bit': {
      const signers = Uint8Array.from(genuine.signers);
      const at = bit % 16; // bits 10 to 15 lie past the committee
      signers[at >> 3] = (signers[at >> 3] ?? 0) ^ (1 << (at & 7));
      return { ...genuine, signers };
    }
    case 'extra-signer':
      return { ...genuine, signers: encodeSigners([0, 1, 2, 3, 4, 5, 6, 9], 10) };
    case 'under-signed':
      return signQuorum(committee, digest, [0, 1, 2].map((index) => ({ index, key: ten.keys[index] as (typeof ten.keys)[number] })));
    case 'wrong-epoch':
      return { ...genuine, epoch: 1 };
    case 'short-signature':
      return { ...genuine, signature: genuine.signature.slice(1) };
    case 'long-bitmap':
      return { ...genuine, signers: Uint8Array.of(...genuine.signers, 0) };
    case 'no-signer':
      return { ...genuine, signers: new Uint8Array(2) };
  }
}

// Worker threads start in a few hundred milliseconds, more on two shared cores: room beyond jest's 5 s default.
jest.setTimeout(60_000);

describe('QuorumVerifierPool', () => {
  let pool: QuorumVerifierPool;
  beforeAll(() => {
    pool = new QuorumVerifierPool({ workers: 2, batchSize: 8 });
  });
  afterAll(() => pool.close());

  it('refuses each bad quorum with the problem the single path gives it, and accepts the genuine ones', async () => {
    const variants: Variant[] = ['genuine', 'other-digest', 'flipped-signature-bit', 'extra-signer', 'under-signed', 'wrong-epoch', 'short-signature', 'long-bitmap', 'no-signer', 'genuine'];
    const checks = variants.map((variant, i): QuorumCheck => ({ committee, digest: digestOf(i), quorum: quorumOf(variant, digestOf(i), 5), digestHex: `d${i}` }));
    const results = await pool.verify(checks);
    expect(results.map(verdictOf)).toEqual(checks.map((c) => singleVerdict(c.committee, c.digest, c.quorum)));
    expect(results.map(verdictOf)).toEqual([
      'accepted',
      'invalid-signature',
      'invalid-signature',
      'invalid-signature',
      'insufficient-stake',
      'wrong-epoch',
      'malformed',
      'malformed',
      'insufficient-stake',
      'accepted',
    ]);
    expect((results[1] as InvalidCertificateError).digest).toBe('d1');
  });

  it('the batch path and the single path accept exactly the same quorums, forged, under-signed and bit-flipped ones mixed in', async () => {
    const variant = fc.constantFrom<Variant>(
      'genuine',
      'genuine',
      'genuine',
      'other-digest',
      'flipped-signature-bit',
      'flipped-signer-bit',
      'extra-signer',
      'under-signed',
      'wrong-epoch',
      'short-signature',
      'long-bitmap',
      'no-signer',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(variant, fc.nat(16 * 96 * 8)), { minLength: 1, maxLength: 40 }), async (cases) => {
        const checks = cases.map(([v, bit], i): QuorumCheck => ({ committee, digest: digestOf(1_000 + i), quorum: quorumOf(v, digestOf(1_000 + i), bit) }));
        const results = await pool.verify(checks);
        expect(results.map(verdictOf)).toEqual(checks.map((c) => singleVerdict(c.committee, c.digest, c.quorum)));
      }),
      { numRuns: 25 },
    );
  });

  it('keeps several committees apart, more than a worker holds at once', async () => {
    const committees = Array.from({ length: 10 }, (_, epoch) => quorumFixture(4, epoch));
    const checks = Array.from({ length: 40 }, (_, i): QuorumCheck => {
      const own = committees[i % 10] as (typeof committees)[number];
      const signer = committees[(i * 7) % 10] as (typeof committees)[number];
      return { committee: own.committee, digest: digestOf(i), quorum: { ...signer.sign(digestOf(i)), epoch: own.committee.epoch } };
    });
    const results = await pool.verify(checks);
    expect(results.map(verdictOf)).toEqual(checks.map((c) => singleVerdict(c.committee, c.digest, c.quorum)));
    // Same keys, other epochs: only the quorums signed for their own committee's epoch (i ≡ 0 mod 5) verify.
    expect(results.filter((r) => r === undefined)).toHaveLength(8);
  });

  it('refuses a digest that is not 32 bytes as malformed, as the single path does, once nothing is wrong with the quorum', async () => {
    const digests = [new Uint8Array(31), new Uint8Array(33), new Uint8Array(0), digestOf(1)];
    const results = await pool.verify(digests.map((digest): QuorumCheck => ({ committee, digest, quorum: sign(digest) })));
    expect(results.map(verdictOf)).toEqual(['malformed', 'malformed', 'malformed', 'accepted']);
    expect(results.map(verdictOf)).toEqual(digests.map((digest) => singleVerdict(committee, digest, sign(digest))));
    // The quorum's own refusal comes first on both paths.
    const [underSigned] = await pool.verify([{ committee, digest: new Uint8Array(31), quorum: quorumOf('under-signed', new Uint8Array(31), 0) }]);
    expect(verdictOf(underSigned)).toBe('insufficient-stake');
    expect(singleVerdict(committee, new Uint8Array(31), quorumOf('under-signed', new Uint8Array(31), 0))).toBe('insufficient-stake');
  });

  it('the two paths agree on digests of any length, each signed over as it is', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.uint8Array({ minLength: 0, maxLength: 40 }), fc.boolean()), { minLength: 1, maxLength: 12 }), async (cases) => {
        const checks = cases.map(([digest, genuine]): QuorumCheck => ({ committee, digest, quorum: genuine ? sign(digest) : sign(digestOf(7)) }));
        const results = await pool.verify(checks);
        expect(results.map(verdictOf)).toEqual(checks.map((c) => singleVerdict(c.committee, c.digest, c.quorum)));
      }),
      { numRuns: 15 },
    );
  });

  it('refuses options out of range with a typed error', () => {
    expect(() => new QuorumVerifierPool({ workers: 0 })).toThrow(InvalidOptionError);
    expect(() => new QuorumVerifierPool({ batchSize: 1.5 })).toThrow(/batchSize/);
  });
});

describe('QuorumVerifierPool, when workers die', () => {
  it('replaces a worker that exits mid-batch and verifies its batch again: nothing is lost, nothing accepted unverified', async () => {
    const crashing = crashingWorker(2);
    const pool = new QuorumVerifierPool({ workers: 2, batchSize: 16, workerScript: crashing.script });
    try {
      const checks = Array.from({ length: 64 }, (_, i): QuorumCheck => ({ committee, digest: digestOf(i), quorum: i % 5 === 0 ? sign(digestOf(i + 1)) : sign(digestOf(i)) }));
      const results = await pool.verify(checks);
      expect(crashing.left()).toBe(0);
      expect(pool.stats().crashes).toBe(2);
      expect(results.map(verdictOf)).toEqual(checks.map((_, i) => (i % 5 === 0 ? 'invalid-signature' : 'accepted')));
      expect(pool.stats().workers).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('isolates an item that kills every worker it meets: it alone is unverified, its batch-mates get their verdicts', async () => {
    const pool = new QuorumVerifierPool({ workers: 2, batchSize: 16, workerScript: poisonedWorker() });
    try {
      const digests = Array.from({ length: 16 }, (_, i) => (i === 11 ? poisonDigest(i) : digestOf(i)));
      const results = await pool.verify(digests.map((digest, i): QuorumCheck => ({ committee, digest, quorum: i === 3 ? sign(digestOf(99)) : sign(digest) })));
      expect(results.map(verdictOf)).toEqual(digests.map((_, i) => (i === 11 ? 'VerifierCrashedError' : i === 3 ? 'invalid-signature' : 'accepted')));
      expect(results[11]).toBeInstanceOf(VerifierCrashedError);
      // 16, 8, 4, 2 and 1 item around the poison, each once: a crash costs a split, never a neighbour.
      expect(pool.stats().crashes).toBe(5);
    } finally {
      await pool.close();
    }
  });

  it('gives up, typed, when its workers cannot start', async () => {
    const pool = new QuorumVerifierPool({ workers: 1, workerScript: { filename: path.join(__dirname, 'workers/no-such-worker.js') } });
    try {
      await expect(pool.verify([{ committee, digest: digestOf(1), quorum: sign(digestOf(1)) }])).rejects.toMatchObject({ name: 'VerifierClosedError', reason: 'start-failed' });
      await expect(pool.verify([{ committee, digest: digestOf(1), quorum: sign(digestOf(1)) }])).rejects.toBeInstanceOf(VerifierClosedError);
    } finally {
      await pool.close();
    }
  });

  it('close() rejects what is pending, refuses later calls and ends every thread', async () => {
    const pool = new QuorumVerifierPool({ workers: 2 });
    const pending = pool.verify(Array.from({ length: 256 }, (_, i): QuorumCheck => ({ committee, digest: digestOf(i), quorum: sign(digestOf(i)) })));
    const closed = pool.close();
    await expect(pending).rejects.toMatchObject({ name: 'VerifierClosedError', reason: 'closed' });
    await closed;
    expect(pool.stats().workers).toBe(0);
    await expect(pool.verify([])).rejects.toBeInstanceOf(VerifierClosedError);
  });
});
