/**
 * `npm run demo:overload`: a burst past the admission limits, refusals,
 * recovery; transfers only, then with accounts merging the coins they
 * receive (certificates waiting for coins not created yet), side by side.
 * Options: --burst N --limit N
 */
import { parseArgs } from 'node:util';
import { type OverloadResult, runOverload } from './run-overload';

const { values } = parseArgs({ options: { burst: { type: 'string', default: '15000' }, limit: { type: 'string', default: '3000' } } });
const n = (value: number) => value.toLocaleString('en-US');

async function main(): Promise<boolean> {
  const scenarios: [string, number | null][] = [
    ['transfers only', null],
    ['mergeReceivedCoins: 4', 4],
  ];
  const results: [string, OverloadResult][] = [];
  for (const [name, mergeReceivedCoins] of scenarios) {
    results.push([name, await runOverload({ burst: Number(values.burst), maxPendingAndExecuting: Number(values.limit), mergeReceivedCoins, print: (line) => console.log(line) })]);
    console.log('');
  }
  console.log('| scenario | transactions | accepted | executed | handed back | refused calls |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, r] of results) console.log(`| ${name} | ${n(r.total)} | ${n(r.accepted)} | ${n(r.committed)} | ${n(r.handedBack)} | ${n(r.refused)} |`);
  return results.every(([, r]) => r.committed === r.total);
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
