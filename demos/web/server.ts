import { readFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Subscription } from 'rxjs';
import { type MetricsServer, serveMetrics } from '../../lib';
import { CONTROLS, controlFor, runControl } from '../shared/controls';
import { Simulation, type SimulationOptions, type SimulationSnapshot } from '../shared/simulation';

/** A running browser dashboard. */
export interface WebDashboard {
  readonly url: string;
  readonly metrics: MetricsServer;
  readonly simulation: Simulation;
  close(): Promise<void>;
}

const PUBLIC = join(__dirname, 'public');
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: join(PUBLIC, 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.js': { file: join(PUBLIC, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/uplot.js': { file: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/uplot.css': { file: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

/**
 * Serve the browser dashboard on localhost: the page, the controls, and the
 * simulation's snapshots as Server-Sent Events (`/events`, one JSON snapshot
 * per message). `POST /control/<key>` turns a dial, as a key does in the
 * terminal.
 */
export async function startWebDashboard(options: SimulationOptions & { port?: number; host?: string } = {}): Promise<WebDashboard> {
  const simulation = await Simulation.start({ snapshotMs: 500, ...options });
  const metrics = await serveMetrics({ registry: simulation.registry, processMetrics: true });
  const streams = new Set<Subscription>();
  const latest: { snapshot: SimulationSnapshot } = { snapshot: simulation.current() };
  // One subscription shared by every page: the simulation ticks once, pages get the same figures.
  const ticks = simulation.snapshots$.subscribe((snapshot) => {
    latest.snapshot = snapshot;
  });

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const file = FILES[path];
    if (request.method === 'GET' && file) {
      response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(readFileSync(file.file));
      return;
    }
    if (request.method === 'GET' && path === '/controls') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ controls: CONTROLS.map(({ key, label }) => ({ key, label })), metricsUrl: metrics.url }));
      return;
    }
    if (request.method === 'GET' && path === '/events') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      const send = (snapshot: SimulationSnapshot) => response.write(`data: ${JSON.stringify(snapshot)}\n\n`);
      send(latest.snapshot);
      const stream = simulation.snapshots$.subscribe(send);
      // Events (a control's effect) are pushed at once, between ticks.
      stream.add(simulation.events$.subscribe(() => send(simulation.current())));
      streams.add(stream);
      request.on('close', () => {
        stream.unsubscribe();
        streams.delete(stream);
      });
      return;
    }
    const control = request.method === 'POST' && path.startsWith('/control/') ? controlFor(decodeURIComponent(path.slice('/control/'.length))) : undefined;
    if (control) {
      // 409 once the run is over: the page greys its buttons out on the feed it shows.
      response.writeHead(runControl(control, simulation) ? 204 : 409).end();
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    ticks.unsubscribe();
    await metrics.close();
    await simulation.stop('abort');
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    metrics,
    simulation,
    close: async () => {
      ticks.unsubscribe();
      for (const stream of streams) stream.unsubscribe();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await metrics.close();
      if (simulation.feed !== 'stopped') await simulation.stop('abort');
    },
  };
}
