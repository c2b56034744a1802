/** `npm run demo:ordering`: ordering under concurrency, as a timeline. Options: --concurrency N (default 3) */
import { parseArgs } from 'node:util';
import { runOrdering } from './run-ordering';

const { values } = parseArgs({ options: { concurrency: { type: 'string', default: '3' } } });
void runOrdering({ concurrency: Number(values.concurrency), print: (line) => console.log(line) });
