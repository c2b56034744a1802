/** `npm run demo:overload`: a burst past the admission limits, refusals, recovery. Options: --burst N --limit N */
import { parseArgs } from 'node:util';
import { runOverload } from './run-overload';

const { values } = parseArgs({ options: { burst: { type: 'string', default: '15000' }, limit: { type: 'string', default: '3000' } } });
runOverload({ burst: Number(values.burst), maxPendingAndExecuting: Number(values.limit), print: (line) => console.log(line) }).then(
  ({ committed, total }) => {
    process.exitCode = committed === total ? 0 : 1;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
