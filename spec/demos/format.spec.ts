import { helpItems, wrapItems, CONTROLS } from '../../demos/shared/controls';
import { refusalReason, runStatus } from '../../demos/shared/format';
import { Simulation, type SimulationSnapshot } from '../../demos/shared/simulation';

let base: SimulationSnapshot;

beforeAll(async () => {
  const simulation = await Simulation.start({ ratePerSecond: 1 });
  base = simulation.current();
  await simulation.stop('abort');
});

const at = (change: Partial<SimulationSnapshot>, paused = false): SimulationSnapshot => ({ ...base, ...change, driver: { ...base.driver, paused } });

describe('runStatus', () => {
  it('never says running once a stop was asked for or the fixed run generated everything', () => {
    expect(runStatus(at({ feed: 'running', stop: undefined }))).toBe('running');
    expect(runStatus(at({ feed: 'running', stop: undefined }, true))).toBe('PAUSED');
    expect(runStatus(at({ feed: 'epoch-change', stop: undefined }))).toBe('epoch change');
    expect(runStatus(at({ feed: 'finished', stop: undefined }))).toBe('finished');
    expect(runStatus(at({ feed: 'stopped', stop: { mode: 'drain', settled: false } }))).toBe('stopping (drain)');
    expect(runStatus(at({ feed: 'stopped', stop: { mode: 'drain', settled: true } }, true))).toBe('stopped (drain)');
    expect(runStatus(at({ feed: 'stopped', stop: { mode: 'abort', settled: true } }))).toBe('stopped (abort)');
  });
});

describe('refusalReason', () => {
  it('says what a refusal means before its figures', () => {
    expect(refusalReason(at({ lastRefusal: undefined }))).toBe('no refusal yet');
    expect(refusalReason(at({ lastRefusal: 'queue-age: oldest waiting 1204 ms, limit 1000 ms' }))).toBe('execution is behind the arrivals (queue-age: oldest waiting 1204 ms, limit 1000 ms)');
    expect(refusalReason(at({ lastRefusal: 'per-object-queue: 2001 waiting, limit 2000' }))).toBe('too many wait on one object (per-object-queue: 2001 waiting, limit 2000)');
  });
});

describe('the help line', () => {
  it('names every control key, and wraps between items only', () => {
    const text = helpItems().join(' · ');
    for (const { key } of CONTROLS) expect(text).toMatch(new RegExp(`(^|[ /])${key.replace(/[+-]/, '\\$&')}[ /]`));
    const lines = wrapItems(helpItems(), 72);
    expect(lines.length).toBeLessThanOrEqual(3);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(72);
    expect(lines.join(' · ')).toBe(text);
  });
});
