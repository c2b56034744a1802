import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { type AuthorityQuorumSignature, encodeSigners } from '../../../lib/validator/bls';
import { InvalidCertificateError } from '../../../lib/validator/errors';
import { QuorumVerifierPool, verifyCertificates } from '../../../lib/validator/verifier';
import { crashingWorker, digestOf, quorumFixture, singleVerdict } from './fixtures';

const { committee, keys, sign } = quorumFixture(7);
type Item = { readonly digest: Uint8Array; readonly quorum: AuthorityQuorumSignature };
const verdictOf = (v: { kind: string; error?: Error }) => (v.kind === 'verified' ? 'accepted' : v.error instanceof InvalidCertificateError ? v.error.problem : (v.error?.name ?? '?'));
const run = (pool: QuorumVerifierPool, items: readonly Item[]) =>
  lastValueFrom(from(items).pipe(verifyCertificates<Item>({ pool, signatureOf: (i) => i, committeeFor: () => committee, maxBatchSize: 8 }), toArray()));

describe('verifyCertificates on worker threads', () => {
  let pool: QuorumVerifierPool;
  // Worker threads start in a few hundred milliseconds, more on two shared cores: room beyond jest's 5 s default.
  jest.setTimeout(60_000);
  beforeAll(() => {
    pool = new QuorumVerifierPool({ workers: 2, batchSize: 8 });
  });
  afterAll(() => pool.close());

  it('accepts exactly what the single path accepts, duplicates, forged, under-signed and bit-flipped quorums mixed in', async () => {
    const kind = fc.constantFrom('genuine', 'genuine', 'repeat', 'other-digest', 'flip-signature', 'flip-signer', 'under-signed', 'wrong-epoch');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(kind, fc.nat(8 * 96 * 8)), { minLength: 1, maxLength: 30 }), async (cases) => {
        const items: Item[] = [];
        cases.forEach(([k, bit], i) => {
          const digest = digestOf(50_000 + i);
          const genuine = sign(digest);
          const flipped = (bytes: Uint8Array, at: number) => {
            const copy = Uint8Array.from(bytes);
            copy[(at >> 3) % copy.length] = (copy[(at >> 3) % copy.length] ?? 0) ^ (1 << (at & 7));
            return copy;
          };
          if (k === 'repeat' && items.length > 0) items.push(items[bit % items.length] as Item);
          else if (k === 'other-digest') items.push({ digest, quorum: sign(digestOf(1)) });
          else if (k === 'flip-signature') items.push({ digest, quorum: { ...genuine, signature: flipped(genuine.signature, bit) } });
          else if (k === 'flip-signer') items.push({ digest, quorum: { ...genuine, signers: flipped(genuine.signers, bit) } });
          else if (k === 'under-signed') items.push({ digest, quorum: { ...genuine, signers: encodeSigners([0, 1, 2], keys.length) } });
          else if (k === 'wrong-epoch') items.push({ digest, quorum: { ...genuine, epoch: 3 } });
          else items.push({ digest, quorum: genuine });
        });
        const verdicts = await run(pool, items);
        expect(verdicts.map(verdictOf)).toEqual(items.map((i) => singleVerdict(committee, i.digest, i.quorum)));
      }),
      { numRuns: 20 },
    );
  }, 60_000);

  it('survives workers that exit mid-batch: every item gets its true verdict', async () => {
    const crashing = crashingWorker(3);
    const fragile = new QuorumVerifierPool({ workers: 2, batchSize: 8, workerScript: crashing.script });
    try {
      const items = Array.from({ length: 60 }, (_, n): Item => ({ digest: digestOf(n), quorum: n % 7 === 0 ? sign(digestOf(n + 1)) : sign(digestOf(n)) }));
      const verdicts = await run(fragile, items);
      expect(verdicts.map(verdictOf)).toEqual(items.map((_, n) => (n % 7 === 0 ? 'invalid-signature' : 'accepted')));
      expect(crashing.left()).toBe(0);
      expect(fragile.stats().crashes).toBe(3);
    } finally {
      await fragile.close();
    }
  }, 60_000);

  describe('leaves no worker thread behind: the process exits by itself', () => {
    const program = path.join(__dirname, 'programs/verify-and-leave.ts');
    const leave = (mode: string) => spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), program, mode], { encoding: 'utf8', timeout: 60_000 });
    it.each([
      ['complete', /^completed: 5 verified$/m],
      ['unsubscribe', /^unsubscribed after 2$/m],
      ['error', /^errored: source failed$/m],
    ])('after %s', (mode, said) => {
      const child = leave(mode);
      expect(child.error).toBeUndefined(); // a timeout (a thread kept it alive) is an error here
      expect(child.stderr).toBe('');
      expect(child.stdout).toMatch(said);
      expect(child.status).toBe(0);
    }, 90_000);
  });
});
