/** `npm run demo`: the basic execution driver demo. Options: --certificates N --concurrency N --seed N */
import { parseArgs } from 'node:util';
import { DEFAULT_DEMO, runDemo } from './run-demo';

const { values } = parseArgs({
  options: {
    certificates: { type: 'string', default: String(DEFAULT_DEMO.certificates) },
    concurrency: { type: 'string', default: String(DEFAULT_DEMO.maxConcurrentExecutions) },
    seed: { type: 'string', default: String(DEFAULT_DEMO.seed) },
  },
});

runDemo({
  ...DEFAULT_DEMO,
  certificates: Number(values.certificates),
  maxConcurrentExecutions: Number(values.concurrency),
  seed: Number(values.seed),
}).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
