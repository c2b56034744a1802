import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ReferenceAuthorityState } from '../../lib/validator';
import { simulate } from '../../lib/simulation';

const root = join(__dirname, '..', '..');
const run = promisify(execFile);

interface Identity {
  readonly traceDigest: string;
  readonly finalStateDigest: string;
  readonly wholeTrace: string;
  readonly outcomeSequence: string;
  readonly lines: number;
  readonly pid: number;
}

async function inChild(seed: number): Promise<Identity> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'spec/simulation/print-run.ts', String(seed)], { cwd: root });
  return JSON.parse(stdout) as Identity;
}

describe('a seed replays exactly', () => {
  it('in two other processes: the same trace, outcome sequence and final state, byte for byte', async () => {
    // A seed with crashes, recovery, store faults and epoch changes (the demo's).
    const seed = 13;
    const [a, b] = await Promise.all([inChild(seed), inChild(seed)]);
    expect(a.pid).not.toBe(b.pid);
    const first = { ...a, pid: 0 };
    expect({ ...b, pid: 0 }).toEqual(first);
    // And as here, in this process (another module loader, another heap, after other runs).
    const here = await simulate({ seed });
    expect(here.traceDigest).toBe(first.traceDigest);
    expect(here.finalStateDigest).toBe(first.finalStateDigest);
    expect(createHash('sha256').update(here.trace.join('\n')).digest('hex')).toBe(first.wholeTrace);
  }, 120_000);

  it('in one process, run after run, and different seeds are different runs', async () => {
    const [x, y, z] = [await simulate({ seed: 21 }), await simulate({ seed: 21 }), await simulate({ seed: 22 })];
    expect(y.trace).toEqual(x.trace);
    expect(y.traceDigest).toBe(x.traceDigest);
    expect(z.traceDigest).not.toBe(x.traceDigest);
  });

  it('virtualises Date.now, performance.now and Math.random while it runs (a plugged-in state reads them), and restores them after', async () => {
    const readings = async () => {
      const seen: number[] = [];
      await simulate({
        seed: 5,
        createState: ({ store, committee }) => {
          seen.push(Date.now(), performance.now(), Math.random());
          return new ReferenceAuthorityState(store, committee);
        },
      });
      return seen;
    };
    const first = await readings();
    expect(await readings()).toEqual(first);
    expect(first[0]).toBeGreaterThanOrEqual(Date.UTC(2026, 0, 1)); // virtual time 0 is 2026-01-01
    expect(first[0]).toBeLessThan(Date.UTC(2026, 0, 2));
    // Restored: the real clock and random source again.
    expect(Math.abs(Date.now() - new Date().getTime())).toBeLessThan(1_000);
    expect(Math.random()).not.toBe(Math.random());
  });
});
