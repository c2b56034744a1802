/** `npm run demo:basic`: the basic execution driver demo (`--help` lists the options). */
import { demoOptions } from '../shared/options';
import { inTerminal, runScenario } from '../shared/scenario';
import { DEFAULT_DEMO, runDemo } from './run-demo';

const values = demoOptions({
  command: 'npm run demo:basic',
  summary: 'Certificates through a driver against a small in-memory state, each outcome printed as it streams out.',
  options: {
    certificates: { type: 'integer', default: DEFAULT_DEMO.certificates, min: 1, max: 100_000, help: 'certificates to run' },
    concurrency: { type: 'integer', default: DEFAULT_DEMO.maxConcurrentExecutions, min: 1, max: 1_024, help: "the driver's concurrency limit" },
    seed: { type: 'integer', default: DEFAULT_DEMO.seed, min: 0, max: 2 ** 31 - 1, help: 'seed of the mix of certificates' },
  },
});

runScenario('npm run demo:basic', async () => {
  await runDemo({ ...DEFAULT_DEMO, certificates: values.certificates, maxConcurrentExecutions: values.concurrency, seed: values.seed, keepServing: inTerminal() });
  return true;
});
