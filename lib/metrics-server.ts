import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Registry, collectDefaultMetrics } from 'prom-client';

/** Options of {@link serveMetrics}. */
export interface MetricsServerOptions {
  /** The registry to serve, e.g. `ExecutionDriverMetrics.registry`. */
  readonly registry: Registry;
  /** Port to listen on. Default 0: any free port (read it from `url`). */
  readonly port?: number;
  /** Interface to listen on. Default `127.0.0.1`: metrics stay local unless you say otherwise. */
  readonly host?: string;
  /**
   * Also collect prom-client's default process metrics (CPU, memory, event
   * loop lag, GC) into `registry`. Off by default: a registry can hold them
   * once, and the embedding process may collect them already.
   */
  readonly processMetrics?: boolean;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** Where Prometheus scrapes it, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  readonly port: number;
  /** Stop listening and close open connections. */
  close(): Promise<void>;
}

/**
 * Serve `registry` over HTTP for Prometheus: `GET /metrics` answers in the
 * registry's exposition format and content type; any other path is 404, any
 * other method 405.
 *
 * @example
 * const server = await serveMetrics({ registry: metrics.registry, port: 9464 });
 * console.log(`metrics at ${server.url}`);
 */
export async function serveMetrics(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, port = 0, host = '127.0.0.1' } = options;
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end('method not allowed\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': registry.contentType });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics collection failed: ${String(error)}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}/metrics`,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
