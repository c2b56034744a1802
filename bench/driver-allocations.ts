/**
 * Bytes allocated per certificate, by contender and by allocating function:
 * V8's sampling heap profiler over one burst of N certificates, counting
 * objects a scavenge or a full GC has already collected too. Where the
 * driver's per-certificate time goes is mostly where its garbage comes from;
 * this says which functions make it.
 *
 *   npx tsx bench/driver-allocations.ts                    # every contender, 20k certificates
 *   npx tsx bench/driver-allocations.ts --sites=20         # and each one's 20 largest allocating functions
 *   npx tsx bench/driver-allocations.ts --against=/path/to/other/lib --only=ExecutionDriver
 *
 * Run it with `node --no-turbo-inlining --import tsx ...` to see allocations
 * under the function that makes them rather than the one it was inlined into.
 * Sampled (one sample per 64 bytes on average): figures are within a few percent.
 */
import { Session } from 'node:inspector';
import { resolve } from 'node:path';
import type { PendingCertificate } from '../lib';
import { type Contender, cardShape, cardSkeleton, mergeMapSkeleton, driver, driverContender, driverWithMetrics, fastqContender, pLimitContender, promisePool } from './contenders';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const N = Number(arg('n') ?? 20_000);
const SITES = Number(arg('sites') ?? 0);

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

function post<T>(session: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((settle, fail) => {
    session.post(method, params, (error, result) => {
      if (error) fail(error);
      else settle(result as T);
    });
  });
}

/** Allocated bytes per certificate, total and by function, over one burst. */
async function profile(session: Session, contender: Contender, items: readonly PendingCertificate[]): Promise<{ total: number; sites: [string, number][] }> {
  await post(session, 'HeapProfiler.startSampling', { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  await contender.start(items, Number.POSITIVE_INFINITY).finished;
  const { profile: root } = await post<{ profile: { head: ProfileNode } }>(session, 'HeapProfiler.stopSampling');
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (node: ProfileNode) => {
    if (node.selfSize > 0) {
      const { functionName, url, lineNumber } = node.callFrame;
      const where = url.replace(/^.*\/node_modules\//, '').replace(/^.*\/(lib|bench)\//, '$1/');
      const site = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
      bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const child of node.children) walk(child);
  };
  walk(root.head);
  const sites = [...bySite].sort((a, b) => b[1] - a[1]).map(([site, bytes]): [string, number] => [site, bytes / items.length]);
  return { total: total / items.length, sites };
}

async function main(): Promise<void> {
  const all = [promisePool, cardShape, mergeMapSkeleton, cardSkeleton, driver, driverWithMetrics, await pLimitContender(), fastqContender];
  const against = arg('against');
  if (against) {
    const dir = resolve(against);
    all.splice(5, 0, driverContender(`ExecutionDriver (${dir})`, false, (await import(dir)) as Parameters<typeof driverContender>[2]));
  }
  const only = arg('only')?.split(',');
  const contenders = only ? all.filter((c) => only.some((prefix) => c.name.startsWith(prefix))) : all;
  const items = Array.from({ length: N }, (_, i) => ({ certificate: { digest: `0x${i.toString(16).padStart(64, '0')}`, epoch: 0 } }));
  // Flatten and hash the digests now (as in driver-overhead.ts), not in the first profiled run that uses them as keys.
  new Set(items.map((item) => item.certificate.digest)).clear();
  const warmup = items.slice(0, 10_000);
  for (let i = 0; i < 5; i++) for (const contender of contenders) await contender.start(warmup, Number.POSITIVE_INFINITY).finished;

  const session = new Session();
  session.connect();
  await post(session, 'HeapProfiler.enable');
  console.log(`Bytes allocated per certificate, ${N.toLocaleString('en-US')} certificates, concurrency 16, Node ${process.version}:\n`);
  for (const contender of contenders) {
    const { total, sites } = await profile(session, contender, items);
    console.log(`${contender.name}: ${Math.round(total).toLocaleString('en-US')} B / cert`);
    for (const [site, bytes] of sites.slice(0, SITES)) console.log(`  ${Math.round(bytes).toString().padStart(6)}  ${site}`);
  }
  session.disconnect();
}

void main();
