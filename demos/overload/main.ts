/**
 * `npm run demo:overload`: a burst past the admission limits, refusals,
 * recovery; transfers only, then with accounts merging the coins they
 * receive (certificates waiting for coins not created yet), side by side.
 * `--help` lists the options.
 */
import { demoOptions } from '../shared/options';
import { inTerminal, runScenario } from '../shared/scenario';
import { type OverloadResult, runOverload } from './run-overload';

const values = demoOptions({
  command: 'npm run demo:overload',
  summary: 'A burst past the admission limits, twice (transfers only, then merging received coins): refusals by limit, the client backing off and retrying, recovery with every transaction committed once.',
  options: {
    burst: { type: 'integer', default: 15_000, min: 1, max: 1_000_000, help: 'transactions submitted at once' },
    limit: { type: 'integer', default: 3_000, min: 100, max: 1_000_000, help: 'the admission limit on certificates pending or executing' },
  },
});
const n = (value: number) => value.toLocaleString('en-US');

runScenario('npm run demo:overload', async () => {
  const scenarios: [string, number | null][] = [
    ['transfers only', null],
    ['mergeReceivedCoins: 4', 4],
  ];
  const results: [string, OverloadResult][] = [];
  for (const [index, [name, mergeReceivedCoins]] of scenarios.entries()) {
    // Metrics stay served after the last run only: one Ctrl-C ends the demo.
    const keepServing = inTerminal() && index === scenarios.length - 1;
    results.push([name, await runOverload({ burst: values.burst, maxPendingAndExecuting: values.limit, mergeReceivedCoins, print: (line) => console.log(line), keepServing })]);
    console.log('');
  }
  console.log('| scenario | transactions | accepted | executed | handed back (awaiting creation) | handed back (past the limits, aged) | refused calls |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, r] of results) {
    console.log(`| ${name} | ${n(r.total)} | ${n(r.accepted)} | ${n(r.committed)} | ${n(r.handedBack)} | ${n(r.handedBackPastLimit)} | ${n(r.refused)} |`);
  }
  return results.every(([, r]) => r.committed === r.total);
});
