/**
 * What the certificate door costs per certificate, signatures aside (they are
 * bench/certificate-verification.ts): the checks that need no committee,
 * which run even when the pipeline skips signatures. Four ways, interleaved
 * round by round in one process so that they see the same machine:
 *  - schema digest (the check before issue 11): encode `data` with the
 *    lenient BCS schema and hash it; the caller's object is what executes;
 *  - bytes only: hash the signed bytes, decode them strictly into frozen data;
 *  - bytes and data: the same, and the carried `data` strictly re-encoded and
 *    compared with the bytes (certificates made by `certifyTransaction`);
 *  - wire bytes: a certificate's BCS wire form (`encodeCertificate`) read
 *    strictly, then as bytes only.
 *
 *   npx tsx bench/certificate-door.ts [--quick]
 */
import { generateWorkload } from '../lib/validator';
import { canonicalCertificate } from '../lib/validator/certificates/canonical-certificate';
import { encodeCertificate } from '../lib/validator/certificates/certificate-wire';
import { scopedDigest } from '../lib/validator/model/digests';
import { digestsReady } from '../lib/validator/model/digests';
import { TransactionDataBcs } from '../lib/validator/model/encoding';

const quick = process.argv.includes('--quick');

async function main(): Promise<void> {
  await digestsReady();
  const count = quick ? 2_000 : 20_000;
  const rounds = quick ? 3 : 11;
  const workload = generateWorkload({ seed: 9, transactions: count, accounts: 2_000, contention: 0.1, hotCounters: 4, sign: false });
  const withData = workload.steps.map((s) => s.certificate);
  const bytesOnly = withData.map(({ digest, epoch, transactionBytes, quorumSignature }) => ({ digest, epoch, transactionBytes, quorumSignature }));
  const wire = withData.map((c) => encodeCertificate(c));
  let sink = 0;
  const ways: { name: string; run: () => void }[] = [
    {
      name: 'schema digest (before)',
      run: () => {
        for (const c of withData) if (scopedDigest('TransactionData', TransactionDataBcs.serialize(c.data).toBytes()) === c.digest) sink++;
      },
    },
    { name: 'bytes only', run: () => bytesOnly.forEach((c) => (sink += canonicalCertificate(c).data.commands.length)) },
    { name: 'bytes and data', run: () => withData.forEach((c) => (sink += canonicalCertificate(c).data.commands.length)) },
    { name: 'wire bytes', run: () => wire.forEach((c) => (sink += canonicalCertificate(c).data.commands.length)) },
  ];
  const micros = ways.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    ways.forEach((way, i) => {
      const started = performance.now();
      way.run();
      micros[i]?.push(((performance.now() - started) * 1000) / count);
    });
  }
  console.log(`Certificate door without signatures, ${count.toLocaleString('en-US')} workload certificates, µs per certificate: median of ${rounds} interleaved rounds (range)`);
  console.log('| check | µs / certificate | certificates / s |');
  console.log('|---|---|---|');
  ways.forEach((way, i) => {
    const sorted = [...(micros[i] ?? [])].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    console.log(`| ${way.name} | ${median.toFixed(2)} (${(sorted[0] ?? 0).toFixed(2)} to ${(sorted[sorted.length - 1] ?? 0).toFixed(2)}) | ${Math.round(1e6 / median).toLocaleString('en-US')} |`);
  });
  if (sink < 0) console.log(sink);
  console.log(`\nNode ${process.version}, on this machine.`);
}

void main();
