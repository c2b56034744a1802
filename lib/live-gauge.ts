import { Gauge, type Registry } from 'prom-client';

/**
 * A gauge whose value is read at scrape time: no work on the hot path, and
 * never stale.
 */
export function liveGauge(registry: Registry, name: string, help: string, read: () => number): Gauge {
  return new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
