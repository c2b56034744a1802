/** `npm run demo:web`: the live dashboard in a browser. Options: --port N (default 8080) --rate N --concurrency N */
import { parseArgs } from 'node:util';
import { startWebDashboard } from './server';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '8080' }, rate: { type: 'string', default: '5000' }, concurrency: { type: 'string', default: '16' } },
});

startWebDashboard({ port: Number(values.port), ratePerSecond: Number(values.rate), maxConcurrentExecutions: Number(values.concurrency) }).then(
  (dashboard) => {
    console.log(`dashboard: ${dashboard.url}`);
    console.log(`metrics:   ${dashboard.metrics.url}`);
    console.log('Ctrl-C to stop.');
    process.once('SIGINT', () => void dashboard.close().then(() => process.exit(0)));
  },
  (error: unknown) => {
    const inUse = (error as { code?: string }).code === 'EADDRINUSE';
    console.error(inUse ? `port ${values.port} is taken: try npm run demo:web -- --port 8081` : error);
    process.exitCode = 1;
  },
);
