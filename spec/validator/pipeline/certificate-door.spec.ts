import { certifyTransaction, verifyCertificate } from '../../../lib/validator/certificates/certified-transaction';
import { scopedDigest } from '../../../lib/validator/model/digests';
import { InvalidCertificateError, NonCanonicalTransactionError } from '../../../lib/validator/errors';
import type { StoredObject } from '../../../lib/validator/model/objects';
import { signQuorum } from '../../../lib/validator/bls';
import type { TransactionData } from '../../../lib/validator/model/transactions';
import { type ValidatorPipeline, startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { genesisObject } from '../../../lib/validator/execution/genesis';
import { refOf } from '../../../lib/validator/model/objects';
import { silentLogger } from '../../support/silent-logger';

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const ALICE = id(0xa1);
const BOB = id(0xb0);
const upper = (hex: string) => `0x${hex.slice(2).toUpperCase()}`;

const { committee, signers } = generateCommittee(0, [1, 1, 1, 1]);
const quorum = signers.slice(0, 3);
const gas = genesisObject(id(1), { kind: 'address', address: ALICE }, { type: 'coin', balance: 1_000_000n });
const coin = genesisObject(id(2), { kind: 'address', address: ALICE }, { type: 'coin', balance: 100n });
const counter = genesisObject(id(3), { kind: 'shared', initialSharedVersion: 1 }, { type: 'counter', value: 0n });

/** Alice pays Bob 7 from her coin: an owned certificate. */
const payment: TransactionData = {
  sender: ALICE,
  inputs: [{ kind: 'owned', ref: refOf(coin) }],
  gas: { payment: refOf(gas), budget: 10_000n, price: 1n },
  commands: [{ kind: 'pay', coin: coin.id, recipients: [{ address: BOB, amount: 7n }] }],
};
const increment: TransactionData = {
  sender: ALICE,
  inputs: [{ kind: 'shared', id: counter.id, initialSharedVersion: 1, mutable: true }],
  gas: { payment: refOf(gas), budget: 10_000n, price: 1n },
  commands: [{ kind: 'increment-counter', counter: counter.id, by: 1n }],
};

/** A deep copy of plain data (bigints and strings are values). */
function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clone) as T;
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)])) as T;
  return value;
}

type Loose = Record<string, unknown> & { inputs: Record<string, unknown>[]; gas: Record<string, unknown>; commands: Record<string, unknown>[] };

/** Each case of the issue, as a change to the transaction's data. */
const mutations: [string, (data: Loose) => void][] = [
  ['an upper-case sender', (d) => (d.sender = upper(payment.sender))],
  ['an upper-case recipient', (d) => ((d.commands[0]?.recipients as Record<string, unknown>[])[0] as Record<string, unknown>).address = upper(BOB)],
  ['a pay amount as a string', (d) => ((d.commands[0]?.recipients as Record<string, unknown>[])[0] as Record<string, unknown>).amount = '7'],
  ['a gas price as a number', (d) => (d.gas.price = 1)],
  ['a gas price as a string', (d) => (d.gas.price = '1')],
  ['an upper-case input digest', (d) => ((d.inputs[0]?.ref as Record<string, unknown>).digest = upper(coin.digest))],
  ['a version as a boolean', (d) => ((d.inputs[0]?.ref as Record<string, unknown>).version = true)],
  ["an input kind changed to 'immutable'", (d) => ((d.inputs[0] as Record<string, unknown>).kind = 'immutable')],
  ["an input kind of 'Shared'", (d) => ((d.inputs[0] as Record<string, unknown>).kind = 'Shared')],
  ['an input kind of null', (d) => ((d.inputs[0] as Record<string, unknown>).kind = null)],
  ['an input kind of {}', (d) => ((d.inputs[0] as Record<string, unknown>).kind = {})],
  ['an input kind of ""', (d) => ((d.inputs[0] as Record<string, unknown>).kind = '')],
  ["an input kind truncated to 'own'", (d) => ((d.inputs[0] as Record<string, unknown>).kind = 'own')],
  ['an extra field on the transaction', (d) => (d.note = 'hi')],
  ['an extra field on the gas', (d) => (d.gas.tip = 1n)],
  ['an extra field on an input', (d) => ((d.inputs[0] as Record<string, unknown>).mutable = true)],
  ['an extra field on a command', (d) => ((d.commands[0] as Record<string, unknown>).by = 1n)],
  ['a missing gas price', (d) => delete d.gas.price],
  ['a missing input reference', (d) => delete (d.inputs[0] as Record<string, unknown>).ref],
  ['a missing command list', (d) => Reflect.deleteProperty(d, 'commands')],
  ['inputs as an object', (d) => (d.inputs = { 0: d.inputs[0] } as never)],
];

/** Changes that leave a canonical transaction: another transaction, so another digest. */
const CANONICAL_CHANGES = new Set(["an input kind changed to 'immutable'"]);

function refusal(value: unknown): InvalidCertificateError {
  try {
    verifyCertificate(value, committee);
  } catch (error) {
    if (error instanceof InvalidCertificateError) return error;
    throw error;
  }
  throw new Error('accepted');
}

async function pipelineWithGenesis() {
  const pipeline = await startValidatorPipeline({ committee, genesis: [gas, coin, counter], logger: silentLogger });
  const snapshot = async () => ({
    latest: await pipeline.state.store.readLatest([gas.id, coin.id, counter.id]),
    executed: await pipeline.state.store.readExecuted(genuine.digest),
    counts: pipeline.manager.counts,
  });
  return { pipeline, snapshot };
}

/** `call` on a fresh pipeline is refused as `malformed`, and the store and the manager are as before. */
async function expectMalformedTouchingNothing(call: (pipeline: ValidatorPipeline) => Promise<unknown>): Promise<void> {
  const { pipeline, snapshot } = await pipelineWithGenesis();
  const before = await snapshot();
  const error = (await call(pipeline).catch((e: unknown) => e)) as InvalidCertificateError;
  expect(error).toBeInstanceOf(InvalidCertificateError);
  expect(error.problem).toBe('malformed');
  expect(await snapshot()).toEqual(before);
  await pipeline.stop();
}

const genuine = certifyTransaction(payment, committee, quorum);

describe('the certificate door: what executes is what was signed', () => {
  it('accepts a genuine certificate as a new, deeply frozen one whose data re-encodes to its bytes', () => {
    const accepted = verifyCertificate(genuine, committee);
    expect(accepted).toEqual(genuine);
    expect(accepted.data).toEqual(payment);
    const frozen = (value: unknown): boolean =>
      typeof value !== 'object' || value === null || (Object.isFrozen(value) && Object.values(value).every(frozen));
    expect(frozen(accepted.data)).toBe(true);
    expect(Object.isFrozen(accepted)).toBe(true);
    expect(() => ((accepted.data.gas as { price: bigint }).price = 5n)).toThrow(TypeError);
  });

  it('decodes from a copy of the bytes: changing the caller’s bytes after acceptance changes nothing', () => {
    const bytes = new Uint8Array(genuine.transactionBytes);
    const accepted = verifyCertificate({ digest: genuine.digest, epoch: 0, transactionBytes: bytes, quorumSignature: genuine.quorumSignature }, committee);
    bytes.fill(0);
    expect(accepted.data).toEqual(payment);
    expect(scopedDigest('TransactionData', accepted.transactionBytes)).toBe(genuine.digest);
  });

  it('refuses the (frozen, already accepted) data of one certificate carried with the bytes of another', () => {
    const other = verifyCertificate(certifyTransaction({ ...payment, gas: { ...payment.gas, budget: 9_999n } }, committee, quorum), committee);
    const error = refusal({ ...genuine, data: other.data });
    expect(error.problem).toBe('non-canonical');
    expect(error.message).toMatch(/data is not what its transaction bytes encode/);
  });

  it('accepts the bytes alone, without data: the bytes are the transaction', () => {
    const { digest, epoch, transactionBytes, quorumSignature } = genuine;
    expect(verifyCertificate({ digest, epoch, transactionBytes, quorumSignature }, committee).data).toEqual(payment);
  });

  describe.each(mutations)('%s', (_name, mutate) => {
    const mutated = clone(payment) as unknown as Loose;
    mutate(mutated);

    it('carried with the signed bytes, is refused as non-canonical', () => {
      const error = refusal({ ...genuine, data: mutated });
      expect(error.problem).toBe('non-canonical');
      expect(error.digest).toBe(genuine.digest);
    });

    it('cannot be certified, or certifies as another transaction with another digest', () => {
      const recertify = () => certifyTransaction(mutated as unknown as TransactionData, committee, quorum);
      if (CANONICAL_CHANGES.has(_name)) {
        expect(recertify().digest).not.toBe(genuine.digest);
        expect(recertify().data).toEqual(mutated);
      } else expect(recertify).toThrow(NonCanonicalTransactionError);
    });

    it('is refused at the pipeline’s door, the store untouched, and the genuine certificate then executes', async () => {
      const { pipeline, snapshot } = await pipelineWithGenesis();
      const before = await snapshot();
      const error = (await pipeline.submit([genuine, { ...genuine, data: mutated }]).catch((e: unknown) => e)) as InvalidCertificateError;
      expect(error).toBeInstanceOf(InvalidCertificateError);
      expect(error.problem).toBe('non-canonical');
      expect(await snapshot()).toEqual(before);
      const executed = new Promise<unknown>((resolve) => pipeline.state.committed$.subscribe(({ certificate }) => resolve(certificate.data)));
      expect(await pipeline.submit([genuine])).toEqual(['ready']);
      expect(await executed).toEqual(payment);
      expect((await pipeline.state.store.readExecuted(genuine.digest))?.effects.status).toEqual({ kind: 'success' });
      await pipeline.stop();
    });
  });

  describe('bytes that a quorum signed but are not canonical', () => {
    const signed = (bytes: Uint8Array) => {
      const digest = scopedDigest('TransactionData', bytes);
      return { digest, epoch: 0, transactionBytes: bytes, quorumSignature: signQuorum(committee, Buffer.from(digest.slice(2), 'hex'), quorum) };
    };
    const bytes = genuine.transactionBytes;
    const withByte = (at: number, value: number) => Uint8Array.from(bytes, (b, i) => (i === at ? value : b));
    // Layout: sender (32) | inputs length (1) | input tag at 33 | ...
    it.each([
      ['truncated', bytes.subarray(0, bytes.length - 1), /past the end of the bytes/],
      ['with a trailing byte', Uint8Array.of(...bytes, 0), /1 bytes after the transaction/],
      ['with an unknown input tag', withByte(33, 7), /no input kind has tag 7/],
      ['with a length not minimally encoded', Uint8Array.of(...bytes.subarray(0, 32), 0x81, 0x00, ...bytes.subarray(33)), /not minimally encoded/],
      ['with a version above 2^53 - 1', withByte(33 + 1 + 32 + 7, 0xff), /above 2\^53 - 1/],
      ['with a length past the end', Uint8Array.of(...bytes.subarray(0, 32), 0xff, 0x0f), /past the end/],
    ])('refuses them %s', (_name, bad, detail) => {
      const error = refusal(signed(new Uint8Array(bad)));
      expect(error.problem).toBe('non-canonical');
      expect(error.message).toMatch(detail);
    });

    it('refuses a shared input whose mutable flag is 2', () => {
      const shared = certifyTransaction(increment, committee, []).transactionBytes;
      // sender (32) | length (1) | tag (1) | id (32) | initialSharedVersion (8) | mutable
      const bad = Uint8Array.from(shared, (b, i) => (i === 32 + 1 + 1 + 32 + 8 ? 2 : b));
      expect(refusal(signed(bad)).message).toMatch(/a bool is 0 or 1/);
    });
  });

  it.each([
    ['no transaction bytes', { digest: genuine.digest, epoch: 0, quorumSignature: genuine.quorumSignature }],
    ['bytes as an array of numbers', { ...genuine, transactionBytes: [...genuine.transactionBytes] }],
    ['an unknown field', { ...genuine, extra: 1 }],
    ['an epoch as a string', { ...genuine, epoch: '0' }],
    ['no digest', { epoch: 0, transactionBytes: genuine.transactionBytes, quorumSignature: genuine.quorumSignature }],
    ['a getter that throws', Object.defineProperty({ ...genuine }, 'digest', { enumerable: true, get: () => { throw new RangeError('boom'); } })],
  ])('refuses a certificate with %s as malformed', (_name, value) => {
    expect(refusal(value).problem).toBe('malformed');
  });

  it('refuses an upper-case digest of the right bytes as a digest mismatch', () => {
    expect(refusal({ ...genuine, digest: upper(genuine.digest) }).problem).toBe('digest-mismatch');
  });

  it.each([['a string', 'certificates'], ['an object', { 0: genuine }], ['null', null], ['undefined', undefined]])(
    'refuses submit of %s (not an array) as malformed, touching nothing',
    async (_name, argument) => {
      await expectMalformedTouchingNothing((pipeline) => pipeline.submit(argument as never));
    },
  );

  it.each([
    ['not an object', 'commit'],
    ['certificates not an array', { digest: 'c0', index: 0, certificates: 'x' }],
    ['an empty digest', { digest: '', index: 0, certificates: [] }],
    ['a negative index', { digest: 'c0', index: -1, certificates: [] }],
    ['a fractional index', { digest: 'c0', index: 0.5, certificates: [] }],
  ])('refuses a commit with %s as malformed', async (_name, argument) => {
    await expectMalformedTouchingNothing((pipeline) => pipeline.commit(argument as never));
  });

  it('refuses a non-canonical shared certificate in a commit, orders nothing, and executes the genuine one', async () => {
    const { pipeline } = await pipelineWithGenesis();
    const shared = certifyTransaction(increment, committee, quorum);
    const tampered = { ...shared, data: { ...increment, inputs: [{ ...increment.inputs[0], kind: 'Shared' }] } };
    const error = (await pipeline.commit({ digest: 'c0', index: 0, certificates: [tampered] }).catch((e: unknown) => e)) as InvalidCertificateError;
    expect(error.problem).toBe('non-canonical');
    expect(pipeline.state.loadEpochStoreOneCallPerTask().sharedVersion(shared.digest, counter.id)).toBeUndefined();
    const committed = new Promise<StoredObject | undefined>((resolve) =>
      pipeline.state.committed$.subscribe(({ output }) => resolve(output.written.find((o) => o.id === counter.id))),
    );
    expect(await pipeline.commit({ digest: 'c0', index: 0, certificates: [shared] })).toEqual(['ready']);
    expect((await committed)?.contents).toEqual({ type: 'counter', value: 1n });
    await pipeline.stop();
  });

  it('still decodes and checks the bytes when the pipeline skips signatures', async () => {
    const pipeline = await startValidatorPipeline({ committee, genesis: [gas, coin, counter], logger: silentLogger, verifySignatures: false });
    const unsigned = certifyTransaction(payment, committee, []);
    const error = (await pipeline.submit([{ ...unsigned, data: { ...payment, sender: upper(ALICE) } }]).catch((e: unknown) => e)) as InvalidCertificateError;
    expect(error.problem).toBe('non-canonical');
    expect(pipeline.manager.counts.pending).toBe(0);
    expect(await pipeline.submit([unsigned])).toEqual(['ready']);
    await pipeline.stop();
  });
});
