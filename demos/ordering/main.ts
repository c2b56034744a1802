/** `npm run demo:ordering`: ordering under concurrency, as a timeline (`--help` lists the options). */
import { demoOptions } from '../shared/options';
import { inTerminal, runScenario } from '../shared/scenario';
import { runOrdering } from './run-ordering';

const values = demoOptions({
  command: 'npm run demo:ordering',
  summary: 'Eight certificates through the real driver in virtual time, drawn as a timeline with the outcome marble.',
  options: { concurrency: { type: 'integer', default: 3, min: 1, max: 8, help: "the driver's concurrency limit" } },
});

runScenario('npm run demo:ordering', async () => {
  await runOrdering({ concurrency: values.concurrency, print: (line) => console.log(line), keepServing: inTerminal() });
  return true;
});
