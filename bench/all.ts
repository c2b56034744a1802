/**
 * `npm run bench [-- --quick]`: every benchmark, each in its own process (so
 * one's heap never weighs on the other's figures), with the same arguments.
 */
import { spawnSync } from 'node:child_process';

for (const bench of ['bench/driver-overhead.ts', 'bench/validator.ts']) {
  console.log(`\n## ${bench}\n`);
  const { status } = spawnSync(process.execPath, ['--import', 'tsx', bench, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
