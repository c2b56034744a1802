/**
 * The signers' aggregate public key of one certificate, at committee sizes
 * 4, 32 and 100 (a quorum of two thirds plus one), two ways interleaved round
 * by round in one process (medians):
 *  - one by one: `aggregatePublicKeys` over the quorum's member keys (what
 *    the verifier did before `SignerKeyTable`);
 *  - `SignerKeyTable`: remembered sums of eight (one per bitmap byte value),
 *    then one aggregate of those. Measured on a table that has seen nothing
 *    (each round builds a new one, so the first sums are computed inside the
 *    timing) and on one that has seen every round before it, with a random
 *    quorum per certificate (sums are reused only as far as random sets share
 *    byte values), and with the same quorum every time (what a validator
 *    mostly sees: the members that answer first; the table remembers recent
 *    whole sets).
 *
 *   npx tsx bench/signer-aggregation.ts [--quick]
 */
import os from 'node:os';
import { PublicKey, aggregatePublicKeys } from '@chainsafe/blst';
import { deriveAuthorityKey } from '../lib/validator/bls';
import { SignerKeyTable } from '../lib/validator/bls/signer-key-table';

const quick = process.argv.includes('--quick');
const SIZES = [4, 32, 100];
const SETS = quick ? 128 : 2_000;
const ROUNDS = quick ? 2 : 7;

/** A seeded generator (xorshift32), so every run draws the same quorums. */
function random(seed: number): () => number {
  let state = seed | 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

function quorums(size: number, count: number, next: () => number): number[][] {
  const quorum = Math.floor((2 * size) / 3) + 1;
  return Array.from({ length: count }, () => {
    const members = Array.from({ length: size }, (_, i) => i);
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [members[i], members[j]] = [members[j] as number, members[i] as number];
    }
    return members.slice(0, quorum).sort((a, b) => a - b);
  });
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

function timePerSet(sets: readonly number[][], aggregate: (indices: readonly number[]) => PublicKey): number {
  const started = performance.now();
  for (const indices of sets) aggregate(indices);
  return ((performance.now() - started) * 1000) / sets.length;
}

const next = random(7);
const rows: string[] = [];
for (const size of SIZES) {
  const keys = Array.from({ length: size }, (_, i) => PublicKey.fromBytes(deriveAuthorityKey(new Uint8Array(32).fill(i + 1)).publicKey, true));
  const warm = new SignerKeyTable(keys);
  const oneByOne: number[] = [];
  const cold: number[] = [];
  const warmed: number[] = [];
  const sameQuorum: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const sets = quorums(size, SETS, next);
    // Rotate which way goes first each round.
    const ways = [
      () => oneByOne.push(timePerSet(sets, (indices) => aggregatePublicKeys(indices.map((i) => keys[i] as PublicKey), false))),
      () => {
        const table = new SignerKeyTable(keys);
        cold.push(timePerSet(sets, (indices) => table.aggregate(indices)));
      },
      () => warmed.push(timePerSet(sets, (indices) => warm.aggregate(indices))),
      () => {
        const table = new SignerKeyTable(keys);
        const same = sets[0] as number[];
        sameQuorum.push(timePerSet(sets, () => table.aggregate(same)));
      },
    ];
    for (let i = 0; i < ways.length; i++) ways[(i + round) % ways.length]?.();
  }
  const quorum = Math.floor((2 * size) / 3) + 1;
  const [a, b, c, d] = [median(oneByOne), median(cold), median(warmed), median(sameQuorum)];
  const cell = (x: number) => `${x.toFixed(1)} (${(a / x).toFixed(1)}×)`;
  rows.push(`| ${size} | ${quorum} | ${a.toFixed(1)} | ${cell(b)} | ${cell(c)} | ${cell(d)} |`);
}
console.log(`Signers' aggregate public key, µs per certificate (${SETS.toLocaleString('en-US')} random quorums a round, median of ${ROUNDS} interleaved rounds)`);
console.log('| committee | quorum | one by one | SignerKeyTable, new each round | SignerKeyTable, warm | SignerKeyTable, the same quorum every time |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
console.log(`\nNode ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(', ')} at the end.`);
