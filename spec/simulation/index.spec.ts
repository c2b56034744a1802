import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as byName from 'soma-execution-driver/simulation';
import * as simulation from '../../lib/simulation';

const SIMULATION_EXPORTS = [
  'SimulatedDisk',
  'SimulatedStore',
  'SimulatedStoreFault',
  'SimulationBusyError',
  'SimulationClock',
  'SimulationInvariantError',
  'SimulationRandom',
  'TimeScope',
  'formatFailure',
  'replayCommand',
  'scenarioFor',
  'shrinkFailure',
  'simulate',
];

describe('soma-execution-driver/simulation', () => {
  it('exports the simulator, its shrinker, its errors and its building blocks', () => {
    expect(Object.keys(simulation).sort()).toEqual([...SIMULATION_EXPORTS].sort());
    expect(byName.simulate).toBe(simulation.simulate);
  });

  it('is a sub-export of the package, built to dist/simulation', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { exports: Record<string, unknown>; scripts: Record<string, string> };
    expect(manifest.exports['./simulation']).toEqual({ types: './dist/simulation/index.d.ts', default: './dist/simulation/index.js' });
    expect(manifest.scripts).toMatchObject({ simulate: 'tsx demos/simulate/replay.ts', 'soak:simulate': 'tsx bench/soak-simulate.ts', 'demo:simulate': 'tsx demos/simulate/main.ts' });
  });
});
