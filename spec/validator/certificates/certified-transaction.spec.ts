import { certifyTransaction, verifyCertificate } from '../../../lib/validator/certificates/certified-transaction';
import { Committee } from '../../../lib/validator/certificates/committee';
import { InvalidCertificateError } from '../../../lib/validator/errors';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import type { TransactionData } from '../../../lib/validator/model/transactions';

const hex = (byte: number) => `0x${byte.toString(16).padStart(2, '0').repeat(32)}`;
const data: TransactionData = {
  sender: hex(1),
  inputs: [],
  gas: { payment: { id: hex(2), version: 1, digest: hex(3) }, budget: 1000n, price: 1n },
  commands: [{ kind: 'transfer-objects', objects: [hex(2)], recipient: hex(4) }],
};

describe('verifyCertificate', () => {
  const { committee, signers } = generateCommittee(5, [1, 1, 1, 1]);

  function refusal(value: unknown): string {
    try {
      verifyCertificate(value, committee);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidCertificateError);
      return (error as InvalidCertificateError).problem;
    }
    throw new Error('accepted');
  }

  it('accepts 2f+1 of equal stake (3 of 4)', () => {
    const certificate = certifyTransaction(data, 5, signers.slice(0, 3));
    expect(verifyCertificate(certificate, committee)).toEqual(certificate);
    expect(committee.quorumThreshold).toBe(3);
  });

  it('refuses 2 of 4 as insufficient stake', () => {
    expect(refusal(certifyTransaction(data, 5, signers.slice(0, 2)))).toBe('insufficient-stake');
  });

  it('weighs signatures by stake', () => {
    const weighted = generateCommittee(1, [7, 1, 1, 1]); // total 10, quorum 7
    expect(verifyCertificate(certifyTransaction(data, 1, weighted.signers.slice(0, 1)), weighted.committee).digest).toBeDefined();
    expect(() => verifyCertificate(certifyTransaction(data, 1, weighted.signers.slice(1)), weighted.committee)).toThrow(
      /stake 3 of 10; a quorum needs 7/,
    );
  });

  it('refuses a forged signature, a tampered transaction, a duplicate and an unknown signer', () => {
    const certificate = certifyTransaction(data, 5, signers.slice(0, 3));
    const [first, second, third] = certificate.signatures;
    if (!first || !second || !third) throw new Error('unreachable');
    const forged = { ...certificate, signatures: [first, second, { ...third, signature: new Uint8Array(64).fill(7) }] };
    expect(refusal(forged)).toBe('invalid-signature');
    const swapped = { ...certificate, signatures: [first, second, { authority: third.authority, signature: first.signature }] };
    expect(refusal(swapped)).toBe('invalid-signature');
    expect(refusal({ ...certificate, data: { ...data, gas: { ...data.gas, budget: 1n } } })).toBe('non-canonical');
    expect(refusal({ ...certificate, transactionBytes: certifyTransaction({ ...data, gas: { ...data.gas, budget: 1n } }, 5, []).transactionBytes })).toBe(
      'digest-mismatch',
    );
    expect(refusal({ ...certificate, signatures: [first, second, first] })).toBe('duplicate-signer');
    const outsider = generateCommittee(5, [1]).signers[0];
    if (!outsider) throw new Error('unreachable');
    expect(refusal(certifyTransaction(data, 5, [...signers.slice(0, 2), { name: 'outsider', privateKey: outsider.privateKey }]))).toBe(
      'unknown-signer',
    );
  });

  it('refuses a certificate of another epoch, even if its committee signed it', () => {
    const error = (() => {
      try {
        verifyCertificate(certifyTransaction(data, 4, signers), committee);
      } catch (e) {
        return e as InvalidCertificateError;
      }
      return undefined;
    })();
    expect(error?.problem).toBe('wrong-epoch');
    expect(error?.message).toMatch(/certified in epoch 4, committee is of epoch 5/);
  });

  it.each([
    [null],
    [{ digest: 1 }],
    [{ digest: 'x', signatures: 'no' }],
    [{ digest: 'x', signatures: [], data: { sender: 'not hex' } }],
  ])('refuses malformed input %j', (value) => {
    expect(refusal(value)).toBe('malformed');
  });

  it('refuses a signature entry without bytes', () => {
    const certificate = certifyTransaction(data, 5, signers.slice(0, 3));
    expect(refusal({ ...certificate, signatures: [{ authority: 'validator-0', signature: 'abc' }] })).toBe('malformed');
  });
});

describe('Committee', () => {
  it('refuses an empty committee, duplicate names and non-positive stakes', () => {
    const { committee } = generateCommittee(0, [1, 1]);
    const [v] = committee.validators;
    if (!v) throw new Error('unreachable');
    expect(() => generateCommittee(0, [])).toThrow(/at least one validator/);
    expect(() => generateCommittee(0, [0])).toThrow(/stakes are positive integers/);
    expect(() => new Committee(0, [v, v])).toThrow(/appears twice/);
  });
});
