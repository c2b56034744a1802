import { request } from 'node:http';
import { Registry } from 'prom-client';
import { ExecutionDriverMetrics, InvalidOptionError, serveMetrics } from '../lib';

function get(url: string, method = 'GET'): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveMetrics', () => {
  it('serves the registry at /metrics with the exposition content type, over a real socket', async () => {
    const metrics = new ExecutionDriverMetrics(new Registry());
    metrics.executed.inc(3);
    const server = await serveMetrics({ registry: metrics.registry });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
      const response = await get(server.url);
      expect(response.status).toBe(200);
      expect(response.type).toBe(metrics.registry.contentType);
      expect(response.body).toMatch(/^execution_driver_executed_total 3$/m);
      expect(response.body).not.toMatch(/process_cpu/);
    } finally {
      await server.close();
    }
  });

  it('answers 404 elsewhere and 405 to other methods', async () => {
    const server = await serveMetrics({ registry: new Registry() });
    try {
      expect((await get(server.url.replace('/metrics', '/'))).status).toBe(404);
      expect((await get(server.url, 'POST')).status).toBe(405);
      expect((await get(`${server.url}?x=1`, 'HEAD')).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('adds the default process metrics only when asked', async () => {
    const registry = new Registry();
    const server = await serveMetrics({ registry, processMetrics: true });
    try {
      expect((await get(server.url)).body).toMatch(/^process_cpu_user_seconds_total /m);
    } finally {
      await server.close();
    }
  });

  it('rejects when the port is taken, and closes cleanly', async () => {
    const first = await serveMetrics({ registry: new Registry() });
    await expect(serveMetrics({ registry: new Registry(), port: first.port })).rejects.toThrow(/EADDRINUSE/);
    await first.close();
    await expect(get(first.url)).rejects.toThrow(/ECONNREFUSED/);
  });

  it.each([
    ['missing', undefined],
    ['an empty object', {}],
    ['the ExecutionDriverMetrics instead of its registry', new ExecutionDriverMetrics()],
  ])('refuses a registry that is %s with a typed error, before listening', async (_what, registry) => {
    await expect(serveMetrics({ registry: registry as unknown as Registry })).rejects.toThrow(InvalidOptionError);
    await expect(serveMetrics({ registry: registry as unknown as Registry })).rejects.toThrow(/Invalid option registry/);
  });

  it.each([[-1], [65536], [1.5], ['9464']])('refuses port %j with a typed error', async (port) => {
    await expect(serveMetrics({ registry: new Registry(), port: port as number })).rejects.toThrow(InvalidOptionError);
  });

  it('answers 500 to a scrape whose collection throws or rejects, and keeps serving', async () => {
    const registry = new Registry();
    let mode: 'throw' | 'reject' | 'ok' = 'throw';
    const real = registry.metrics.bind(registry);
    registry.metrics = () => {
      if (mode === 'throw') throw new Error('collector broke');
      if (mode === 'reject') return Promise.reject(new Error('collector rejected'));
      return real();
    };
    const server = await serveMetrics({ registry });
    try {
      const thrown = await get(server.url);
      expect(thrown.status).toBe(500);
      expect(thrown.body).toMatch(/collector broke/);
      mode = 'reject';
      expect((await get(server.url)).status).toBe(500);
      mode = 'ok';
      expect((await get(server.url)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('closes twice without an error, and serves process metrics twice on one registry', async () => {
    const registry = new Registry();
    const first = await serveMetrics({ registry, processMetrics: true });
    const second = await serveMetrics({ registry, processMetrics: true });
    try {
      expect((await get(second.url)).body).toMatch(/^process_cpu_user_seconds_total /m);
    } finally {
      await first.close();
      await second.close();
    }
    await expect(first.close()).resolves.toBeUndefined();
  });
});
