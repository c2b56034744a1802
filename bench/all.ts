/**
 * `npm run bench [-- --quick]`: every benchmark, each in its own process (so
 * one's heap never weighs on the other's figures), with the same arguments.
 */
import { spawnSync } from 'node:child_process';

// The manager benchmark holds a million 8-input certificates at once: give it room.
const benches: [string, string[]][] = [
  ['bench/driver-overhead.ts', []],
  ['bench/validator.ts', []],
  ['bench/certificate-door.ts', []],
  ['bench/durable.ts', []],
  ['bench/certificate-verification.ts', []],
  ['bench/signer-aggregation.ts', []],
  ['bench/verifier-pool.ts', []],
  ['bench/verified-pipeline.ts', []],
  ['bench/transaction-manager.ts', ['--max-old-space-size=12288']],
];
for (const [bench, flags] of benches) {
  console.log(`\n## ${bench}\n`);
  const { status } = spawnSync(process.execPath, [...flags, '--import', 'tsx', bench, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
