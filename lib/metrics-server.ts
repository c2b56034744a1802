import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Registry, collectDefaultMetrics } from 'prom-client';
import { describeValue } from './describe-value';
import { InvalidOptionError } from './errors';
import { ExecutionDriverMetrics } from './metrics';

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
 * other method 405, and a scrape whose collection fails 500.
 *
 * @example
 * const server = await serveMetrics({ registry: metrics.registry, port: 9464 });
 * console.log(`metrics at ${server.url}`);
 * @throws InvalidOptionError (as a rejection, before listening) for a registry
 * that is not a prom-client `Registry`, a port that is not an integer from 0
 * to 65,535, or an empty host.
 */
export async function serveMetrics(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, port = 0, host = '127.0.0.1' } = options;
  checkOptions(registry, port, host);
  // A registry holds the process metrics once: a second server on it (or an embedder that collects them) shares them.
  if (options.processMetrics && registry.getSingleMetric(PROCESS_METRIC) === undefined) collectDefaultMetrics({ register: registry });
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
    const failed = (error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics collection failed: ${describeFailure(error)}\n`);
    };
    // A collector that throws rather than rejects (a custom metric, a registry's getter) is a failed scrape too, never the process's.
    let text: Promise<string>;
    try {
      text = Promise.resolve(registry.metrics());
    } catch (error) {
      failed(error);
      return;
    }
    text.then((body) => {
      const contentType = registry.contentType;
      response.writeHead(200, { 'content-type': contentType });
      response.end(request.method === 'HEAD' ? undefined : body);
    }).catch(failed);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}/metrics`,
    port: bound,
    // Once closed, closing again is done at once (Node would reject with ERR_SERVER_NOT_RUNNING).
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
  };
}

/** A metric `collectDefaultMetrics` registers: present when the registry holds the process metrics already. */
const PROCESS_METRIC = 'process_cpu_user_seconds_total';

/** @throws InvalidOptionError for a registry that cannot be scraped, a port or a host of the wrong kind. */
function checkOptions(registry: unknown, port: unknown, host: unknown): void {
  const candidate = registry as Partial<Registry> | null | undefined;
  if (typeof candidate?.metrics !== 'function' || typeof candidate.getSingleMetric !== 'function') {
    const hint = registry instanceof ExecutionDriverMetrics ? ' (pass its .registry)' : '';
    throw new InvalidOptionError('registry', registry, `a prom-client Registry${hint}`);
  }
  if (!Number.isInteger(port) || (port as number) < 0 || (port as number) > MAX_PORT) {
    throw new InvalidOptionError('port', port, `an integer from 0 to ${MAX_PORT}`);
  }
  if (typeof host !== 'string' || host === '') throw new InvalidOptionError('host', host, 'a host name or address');
}

const MAX_PORT = 65535;

/** A failed collection, for the 500 body; never throws, whatever was thrown. */
function describeFailure(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : describeValue(error);
  } catch {
    return 'an error that could not be read';
  }
}
