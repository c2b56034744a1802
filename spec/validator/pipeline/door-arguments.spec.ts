import { InvalidOptionError } from '../../../lib';
import { certifyTransaction, verifyCertificate } from '../../../lib/validator/certificates/certified-transaction';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { InvalidCertificateError, PipelineStoppedError } from '../../../lib/validator/errors';
import { genesisObject } from '../../../lib/validator/execution/genesis';
import { refOf } from '../../../lib/validator/model/objects';
import type { TransactionData } from '../../../lib/validator/model/transactions';
import { startValidatorPipeline } from '../../../lib/validator/pipeline/validator-pipeline';
import { silentLogger } from '../../support/silent-logger';

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const ALICE = id(0xa1);
const ATTACKER = id(0xee);
const { committee, signers } = generateCommittee(0, [1, 1, 1, 1]);
const gas = genesisObject(id(1), { kind: 'address', address: ALICE }, { type: 'coin', balance: 1_000_000n });
const coin = genesisObject(id(2), { kind: 'address', address: ALICE }, { type: 'coin', balance: 100n });
const transferTo = (recipient: string): TransactionData => ({
  sender: ALICE,
  inputs: [{ kind: 'owned', ref: refOf(coin) }],
  gas: { payment: refOf(gas), budget: 10_000n, price: 1n },
  commands: [{ kind: 'transfer-objects', objects: [coin.id], recipient }],
});
const genuine = certifyTransaction(transferTo(id(0xb0)), committee, signers.slice(0, 3));

async function pipeline() {
  return startValidatorPipeline({ committee, genesis: [gas, coin], logger: silentLogger });
}

async function refusal(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** What an attacker hands the door in place of an array: something whose methods lie. */
const forged = { digest: id(0x1234), epoch: 0, data: transferTo(ATTACKER), quorumSignature: genuine.quorumSignature };
class LyingArray extends Array<unknown> {
  override map<U>(): U[] {
    return [forged as U];
  }
}

describe('the door reads every element itself: nothing of the caller runs', () => {
  it('an array whose own map lies, or a subclass of Array: the forged element is never taken', async () => {
    const p = await pipeline();
    const own = [genuine];
    Object.defineProperty(own, 'map', { value: () => [forged] });
    await expect(p.submit(own)).resolves.toEqual(['ready']); // the genuine element, checked
    const lying = new LyingArray();
    lying.push({ ...forged, transactionBytes: new Uint8Array(1) });
    const error = await refusal(() => p.commit({ digest: 'c0', index: 0, certificates: lying }));
    expect(error).toBeInstanceOf(InvalidCertificateError);
    const summary = await p.stop();
    expect(summary.executed).toBe(1);
    const [latest] = await p.state.store.readLatest([coin.id]);
    const owner = latest?.owner;
    expect(owner).toEqual({ kind: 'address', address: id(0xb0) });
  });

  it('holes, and lists whose reading throws, are malformed, and burn no commit index', async () => {
    const p = await pipeline();
    // eslint-disable-next-line no-sparse-arrays -- the hostile case itself
    for (const list of [[, ,], new Array(3), [genuine, ,]]) {
      const error = await refusal(() => p.submit(list));
      expect((error as InvalidCertificateError).problem).toBe('malformed');
    }
    const throwing = new Proxy([genuine], {
      get(target, key, receiver) {
        if (key === 'length') throw new Error('length exploded');
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    expect(((await refusal(() => p.submit(throwing))) as InvalidCertificateError).problem).toBe('malformed');
    // eslint-disable-next-line no-sparse-arrays -- the hostile case itself
    expect(((await refusal(() => p.commit({ digest: 'c0', index: 0, certificates: [, ,] }))) as InvalidCertificateError).problem).toBe('malformed');
    const increment = certifyTransaction(transferTo(id(0xb0)), committee, signers.slice(0, 3));
    await expect(p.submit([increment])).resolves.toEqual(['ready']);
    await p.stop();
  });
});

describe('the quorum signature is copied at the door', () => {
  const own = () => ({ epoch: 0, signature: new Uint8Array(genuine.quorumSignature.signature), signers: new Uint8Array(genuine.quorumSignature.signers) });

  it('getters that throw, Proxies of bytes, a subclass lying about its length, extra fields: typed refusals or plain acceptance, never a TypeError', () => {
    class LongBytes extends Uint8Array {
      override get length(): number {
        return 96;
      }
    }
    const lying = new LongBytes(genuine.quorumSignature.signature.subarray(0, 95));
    const getter = {
      epoch: 0,
      signers: own().signers,
      get signature(): Uint8Array {
        throw new TypeError('getter exploded');
      },
    };
    const proxied = { ...own(), signature: new Proxy(own().signature, {}) };
    const proxiedQuorum = new Proxy(own(), { ownKeys: () => { throw new RangeError('keys exploded'); } });
    for (const quorumSignature of [getter, proxied, proxiedQuorum, { ...own(), signature: lying }, { ...own(), extra: 1 }, 'not an object', null, [own()]]) {
      let problem: unknown;
      try {
        verifyCertificate({ ...genuine, quorumSignature }, committee);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidCertificateError);
        problem = (error as InvalidCertificateError).problem;
      }
      expect(problem).toBe('malformed');
    }
    // A subclass that tells the truth is only bytes: its copy is what is checked.
    class PlainBytes extends Uint8Array {}
    expect(verifyCertificate({ ...genuine, quorumSignature: { ...own(), signature: new PlainBytes(own().signature) } }, committee).digest).toBe(genuine.digest);
  });

  it('an accepted certificate holds frozen copies: changing the caller bytes afterwards changes nothing', () => {
    const quorumSignature = own();
    const accepted = verifyCertificate({ ...genuine, quorumSignature }, committee);
    quorumSignature.signature.fill(0);
    quorumSignature.signers.fill(0);
    expect(Object.isFrozen(accepted.quorumSignature)).toBe(true);
    expect(accepted.quorumSignature.signature).toEqual(genuine.quorumSignature.signature);
    expect(() => verifyCertificate(accepted, committee)).not.toThrow();
  });

  it('epoch -0 is malformed, in the certificate and in its quorum signature', () => {
    expect(() => verifyCertificate({ ...genuine, epoch: -0 }, committee)).toThrow(/epoch must be a non-negative integer/);
    expect(() => verifyCertificate({ ...genuine, quorumSignature: { ...own(), epoch: -0 } }, committee)).toThrow(InvalidCertificateError);
  });
});

describe('stop with a bad mode', () => {
  it('is refused before anything closes: the pipeline still runs, and a later stop hands back what the manager holds', async () => {
    const p = await pipeline();
    expect(await refusal(() => p.stop({ mode: 'bogus' as never }))).toBeInstanceOf(InvalidOptionError);
    await expect(p.submit([genuine])).resolves.toEqual(['ready']);
    const summary = await p.stop();
    expect(summary.executed).toBe(1);
    expect(await refusal(() => p.submit([genuine]))).toBeInstanceOf(PipelineStoppedError);
  });
});
