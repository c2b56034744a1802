/** `npm run demo:web`: the live dashboard in a browser (`--help` lists the options). */
import { demoOptions } from '../shared/options';
import { PIPELINE_OPTIONS, simulationOptions } from '../shared/pipeline-options';
import { StoreOpenError } from '../../lib/validator';
import { DatabaseInUseError } from '../shared/simulation';
import { startWebDashboard } from './server';

const values = demoOptions({
  command: 'npm run demo:web',
  summary: 'The live validator dashboard in a browser, on http://127.0.0.1:<port>/, until Ctrl-C.',
  options: { port: { type: 'integer', default: 8080, min: 0, max: 65_535, help: 'port to serve the page on (0: any free one)' }, ...PIPELINE_OPTIONS },
});

startWebDashboard({ port: values.port, ...simulationOptions(values) }).then(
  (dashboard) => {
    console.log(`dashboard: ${dashboard.url}`);
    console.log(`metrics:   ${dashboard.metrics.url}`);
    console.log('Ctrl-C to stop.');
    process.once('SIGINT', () => void dashboard.close().then(() => process.exit(0)));
  },
  (error: unknown) => {
    if (error instanceof DatabaseInUseError || error instanceof StoreOpenError) {
      process.stderr.write(`npm run demo:web: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    const inUse = (error as { code?: string }).code === 'EADDRINUSE';
    console.error(inUse ? `npm run demo:web: port ${values.port} is taken: try npm run demo:web -- --port ${values.port + 1}` : error);
    process.exitCode = 1;
  },
);
