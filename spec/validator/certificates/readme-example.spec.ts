import { type TransactionData, certifyTransaction, encodeCertificate, generateCommittee, verifyCertificate } from 'soma-execution-driver/validator';

it('certifies a transaction by 67 of 100 validators and verifies it from its wire bytes', () => {
  const { committee, signers } = generateCommittee(0, Array.from({ length: 100 }, () => 1), 42); // keys derived from seed 42
  const data: TransactionData = {
    sender: `0x${'a1'.repeat(32)}`,
    inputs: [],
    gas: { payment: { id: `0x${'c0'.repeat(32)}`, version: 1, digest: `0x${'dd'.repeat(32)}` }, budget: 1_000n, price: 1n },
    commands: [],
  };
  const certificate = certifyTransaction(data, committee, signers.slice(0, committee.quorumThreshold)); // one aggregate of 67
  const wire = encodeCertificate(certificate); // the transaction's bytes, the epoch, 96 signature bytes, a 13-byte bitmap
  expect(verifyCertificate(wire, committee)).toEqual(certificate); // the door, the cheap checks, one pairing check
});
