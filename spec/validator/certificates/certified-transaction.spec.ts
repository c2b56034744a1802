import { certifyTransaction, verifyCertificate } from '../../../lib/validator/certificates/certified-transaction';
import { certificateSignatureInput } from '../../../lib/validator/certificates/certificate-signature-input';
import { InvalidCertificateError } from '../../../lib/validator/errors';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { certificateMessage, encodeSigners } from '../../../lib/validator/bls';
import type { TransactionData } from '../../../lib/validator/model/transactions';

const hex = (byte: number) => `0x${byte.toString(16).padStart(2, '0').repeat(32)}`;
const data: TransactionData = {
  sender: hex(1),
  inputs: [],
  gas: { payment: { id: hex(2), version: 1, digest: hex(3) }, budget: 1000n, price: 1n },
  commands: [{ kind: 'transfer-objects', objects: [hex(2)], recipient: hex(4) }],
};

describe('verifyCertificate (BLS aggregate quorums)', () => {
  const { committee, signers } = generateCommittee(5, [1, 1, 1, 1]);

  function refusal(value: unknown): string {
    try {
      verifyCertificate(value, committee);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidCertificateError);
      return (error as InvalidCertificateError).problem;
    }
    return 'accepted';
  }

  it('accepts 2f+1 of equal stake (3 of 4), whichever three', () => {
    const certificate = certifyTransaction(data, committee, signers.slice(0, 3));
    expect(verifyCertificate(certificate, committee)).toEqual(certificate);
    expect(committee.quorumThreshold).toBe(3);
    expect(refusal(certifyTransaction(data, committee, signers.slice(1)))).toBe('accepted');
    expect(refusal(certifyTransaction(data, committee, signers))).toBe('accepted');
    expect(certificate.quorumSignature).toMatchObject({ epoch: 5, signers: Uint8Array.of(0b0111) });
    expect(certificate.quorumSignature.signature).toHaveLength(96);
  });

  it('refuses 2 of 4, and an unsigned certificate, as insufficient stake', () => {
    expect(refusal(certifyTransaction(data, committee, signers.slice(0, 2)))).toBe('insufficient-stake');
    expect(refusal(certifyTransaction(data, committee, []))).toBe('insufficient-stake');
  });

  it('weighs signers by stake', () => {
    const weighted = generateCommittee(1, [7, 1, 1, 1]); // total 10, quorum 7
    expect(verifyCertificate(certifyTransaction(data, weighted.committee, weighted.signers.slice(0, 1)), weighted.committee).digest).toBeDefined();
    expect(() => verifyCertificate(certifyTransaction(data, weighted.committee, weighted.signers.slice(1)), weighted.committee)).toThrow(
      /signers hold 3 of the 7 needed/,
    );
  });

  it('refuses a forged aggregate, a member named who did not sign, another certificate’s aggregate and a key from outside', () => {
    const certificate = certifyTransaction(data, committee, signers.slice(0, 3));
    const other = certifyTransaction({ ...data, gas: { ...data.gas, budget: 1n } }, committee, signers.slice(0, 3));
    const { quorumSignature } = certificate;
    expect(refusal({ ...certificate, quorumSignature: { ...quorumSignature, signature: new Uint8Array(96).fill(7) } })).toBe('invalid-signature');
    expect(refusal({ ...certificate, quorumSignature: { ...quorumSignature, signers: encodeSigners([0, 1, 2, 3], 4) } })).toBe('invalid-signature');
    expect(refusal({ ...certificate, quorumSignature: other.quorumSignature })).toBe('invalid-signature');
    const flipped = Uint8Array.from(quorumSignature.signature);
    flipped[50] = (flipped[50] as number) ^ 1;
    expect(refusal({ ...certificate, quorumSignature: { ...quorumSignature, signature: flipped } })).toBe('invalid-signature');
    // Member 2's bit, but an outsider's key signed: the aggregate does not verify for the members named.
    const outsider = generateCommittee(5, [1], 99).signers[0];
    if (!outsider) throw new Error('unreachable');
    expect(refusal(certifyTransaction(data, committee, [...signers.slice(0, 2), { ...outsider, index: 2 }]))).toBe('invalid-signature');
  });

  it('refuses a bitmap naming members past the committee with its own reason, and one of the wrong length as malformed', () => {
    const certificate = certifyTransaction(data, committee, signers.slice(0, 3));
    const past = Uint8Array.of(0b0001_0111); // members 0, 1, 2 and 4 of a committee of 4
    const error = (() => {
      try {
        verifyCertificate({ ...certificate, quorumSignature: { ...certificate.quorumSignature, signers: past } }, committee);
      } catch (e) {
        return e as InvalidCertificateError;
      }
      return undefined;
    })();
    expect(error?.problem).toBe('signer-outside-committee');
    expect(error?.message).toMatch(/names members past the committee's 4/);
    expect(refusal({ ...certificate, quorumSignature: { ...certificate.quorumSignature, signers: Uint8Array.of(0b0111, 0) } })).toBe('malformed');
    expect(refusal({ ...certificate, quorumSignature: { ...certificate.quorumSignature, signers: new Uint8Array(0) } })).toBe('malformed');
  });

  it('refuses tampered transactions before any signature check', () => {
    const certificate = certifyTransaction(data, committee, signers.slice(0, 3));
    expect(refusal({ ...certificate, data: { ...data, gas: { ...data.gas, budget: 1n } } })).toBe('non-canonical');
    const otherBytes = certifyTransaction({ ...data, gas: { ...data.gas, budget: 1n } }, committee, []).transactionBytes;
    expect(refusal({ ...certificate, transactionBytes: otherBytes })).toBe('digest-mismatch');
  });

  it('refuses a certificate of another epoch, even if its committee signed it', () => {
    const previous = generateCommittee(4, [1, 1, 1, 1]);
    const error = (() => {
      try {
        verifyCertificate(certifyTransaction(data, previous.committee, previous.signers), committee);
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
    [{ digest: 'x', quorumSignature: 'no' }],
    [{ digest: 'x', quorumSignature: {}, data: { sender: 'not hex' } }],
  ])('refuses malformed input %j', (value) => {
    expect(refusal(value)).toBe('malformed');
  });

  it('refuses a quorum signature of the wrong shape or of another epoch than its certificate as malformed', () => {
    const certificate = certifyTransaction(data, committee, signers.slice(0, 3));
    const { quorumSignature } = certificate;
    for (const bad of [
      { ...quorumSignature, signature: 'abc' },
      { ...quorumSignature, signature: quorumSignature.signature.subarray(1) },
      { ...quorumSignature, signers: [1, 1, 1] },
      { ...quorumSignature, epoch: 4 },
      { ...quorumSignature, extra: 1 },
      { epoch: 5, signature: quorumSignature.signature },
    ]) {
      expect(refusal({ ...certificate, quorumSignature: bad })).toBe('malformed');
    }
  });
});

describe('certificateSignatureInput: what the pairing needs, without curve arithmetic', () => {
  const { committee, signers } = generateCommittee(2, [1, 1, 1, 1, 1, 1, 1]); // quorum 5 of 7

  it('gives the digest, the message each signer signed, the bitmap, the signers and the aggregate, as carried', () => {
    const certificate = certifyTransaction(data, committee, [signers[6], signers[0], signers[3], signers[4], signers[5]].filter((s) => s !== undefined));
    const input = certificateSignatureInput(certificate, committee);
    expect(input.certificate).toEqual(certificate);
    expect(input.epoch).toBe(2);
    expect(`0x${Buffer.from(input.digest).toString('hex')}`).toBe(certificate.digest);
    expect(input.message).toEqual(certificateMessage(2, input.digest));
    expect(input.signers).toEqual(Uint8Array.of(0b0111_1001));
    expect(input.signerIndices).toEqual([0, 3, 4, 5, 6]);
    expect(input.signature).toEqual(certificate.quorumSignature.signature);
  });

  it('refuses everything the cheap checks can see, and passes a forged aggregate on for the pairing to refuse', () => {
    const certificate = certifyTransaction(data, committee, signers.slice(0, 5));
    const problem = (value: unknown) => {
      try {
        certificateSignatureInput(value, committee);
      } catch (error) {
        return (error as InvalidCertificateError).problem;
      }
      return 'passed';
    };
    expect(problem(certifyTransaction(data, committee, signers.slice(0, 4)))).toBe('insufficient-stake');
    expect(problem({ ...certificate, quorumSignature: { ...certificate.quorumSignature, signers: Uint8Array.of(0xff) } })).toBe('signer-outside-committee');
    const other = generateCommittee(3, [1, 1, 1, 1, 1, 1, 1]);
    expect(problem(certifyTransaction(data, other.committee, other.signers))).toBe('wrong-epoch');
    const forged = { ...certificate, quorumSignature: { ...certificate.quorumSignature, signature: new Uint8Array(96).fill(7) } };
    expect(problem(forged)).toBe('passed');
    expect(() => verifyCertificate(forged, committee)).toThrow(/not a point of the signature group/);
  });
});
