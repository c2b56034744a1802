import { from, lastValueFrom, toArray } from 'rxjs';
import { certificateSignatureInput } from '../../../lib/validator/certificates/certificate-signature-input';
import { certifyTransaction, verifyCertificate } from '../../../lib/validator/certificates/certified-transaction';
import { encodeCertificate } from '../../../lib/validator/certificates/certificate-wire';
import { generateCommittee } from '../../../lib/validator/certificates/generated-committee';
import { InvalidCertificateError } from '../../../lib/validator/errors';
import type { TransactionData } from '../../../lib/validator/model/transactions';
import { QuorumVerifierPool, verifyCertificates } from '../../../lib/validator/verifier';

const hex = (byte: number, n: number) => `0x${byte.toString(16).padStart(2, '0')}${n.toString(16).padStart(62, '0')}`;
const payment = (n: number): TransactionData => ({
  sender: hex(0xa0, n),
  inputs: [],
  gas: { payment: { id: hex(0xc0, n), version: 1, digest: hex(0xdd, n) }, budget: 1_000n, price: 1n },
  commands: [],
});

describe('certificates through the verifier pool', () => {
  jest.setTimeout(60_000); // worker threads start slowly on two shared cores
  const { committee, signers } = generateCommittee(3, [1, 1, 1, 1, 1, 1, 1], 5);
  const quorum = signers.slice(0, committee.quorumThreshold);
  let pool: QuorumVerifierPool;
  beforeAll(() => {
    pool = new QuorumVerifierPool({ workers: 2, batchSize: 4 });
  });
  afterAll(() => pool.close());

  it('certificateSignatureInput as the accessor: the pool refuses and accepts exactly as verifyCertificate does', async () => {
    const genuine = certifyTransaction(payment(1), committee, quorum);
    const other = certifyTransaction(payment(2), committee, quorum);
    const previous = generateCommittee(2, [1, 1, 1, 1, 1, 1, 1], 5);
    const items: unknown[] = [
      genuine,
      encodeCertificate(other), // the wire form
      { ...genuine, quorumSignature: other.quorumSignature }, // another certificate's aggregate
      { ...genuine, quorumSignature: { ...genuine.quorumSignature, signature: new Uint8Array(96).fill(7) } },
      certifyTransaction(payment(3), committee, quorum.slice(1)), // under-signed
      { ...genuine, quorumSignature: { ...genuine.quorumSignature, signers: Uint8Array.of(0xff) } }, // member 7 of 7
      certifyTransaction(payment(4), previous.committee, previous.signers), // epoch 2
      { ...genuine, transactionBytes: other.transactionBytes }, // digest mismatch
      'not a certificate',
    ];
    const single = items.map((item) => {
      try {
        verifyCertificate(item, committee);
        return 'accepted';
      } catch (error) {
        return (error as InvalidCertificateError).problem;
      }
    });
    const verdicts = await lastValueFrom(
      from(items).pipe(
        verifyCertificates<unknown>({
          pool,
          signatureOf: (item) => {
            const input = certificateSignatureInput(item, committee);
            return { digest: input.digest, quorum: input.certificate.quorumSignature, digestHex: input.certificate.digest };
          },
          committeeFor: (epoch) => (epoch === committee.epoch ? committee : undefined),
          cache: false,
        }),
        toArray(),
      ),
    );
    expect(verdicts.map((v) => (v.kind === 'verified' ? 'accepted' : v.kind === 'refused' ? v.error.problem : v.kind))).toEqual(single);
    expect(single).toEqual([
      'accepted',
      'accepted',
      'invalid-signature',
      'invalid-signature',
      'insufficient-stake',
      'signer-outside-committee',
      'wrong-epoch',
      'digest-mismatch',
      'malformed',
    ]);
  });
});
