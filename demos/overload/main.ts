/** `npm run demo:overload`: a burst past the admission limits, refusals, recovery (`--help` lists the options). */
import { demoOptions } from '../shared/options';
import { inTerminal, runScenario } from '../shared/scenario';
import { runOverload } from './run-overload';

const values = demoOptions({
  command: 'npm run demo:overload',
  summary: 'A burst past the admission limits: refusals by limit, the client backing off and retrying, recovery with every transaction committed once.',
  options: {
    burst: { type: 'integer', default: 15_000, min: 1, max: 1_000_000, help: 'transactions submitted at once' },
    limit: { type: 'integer', default: 3_000, min: 100, max: 1_000_000, help: 'the admission limit on certificates pending or executing' },
  },
});

runScenario('npm run demo:overload', async () => {
  const { committed, total } = await runOverload({ burst: values.burst, maxPendingAndExecuting: values.limit, print: (line) => console.log(line), keepServing: inTerminal() });
  return committed === total;
});
