/** `npm run demo:simulate`: one seed of the simulator, its timeline, and its replay (`--help` lists the options). */
import { demoOptions } from '../shared/options';
import { runScenario } from '../shared/scenario';
import { runSimulateDemo } from './run-simulate';

const values = demoOptions({
  command: 'npm run demo:simulate',
  summary: 'Run one seed of the deterministic simulation of the whole validator, draw its timeline, and replay it to show both runs are the same.',
  options: {
    seed: { type: 'integer', default: 13, min: 0, max: 4_294_967_295, help: 'the seed' },
    width: { type: 'integer', default: 64, min: 16, max: 400, help: 'columns of the timeline' },
  },
});

runScenario('npm run demo:simulate', () => runSimulateDemo({ seed: values.seed, width: values.width, print: (line) => console.log(line) }));
