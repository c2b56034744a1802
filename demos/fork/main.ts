/** `npm run demo:fork`: an effects digest that does not match halts the driver cleanly. */
import { ForkDetectedError } from '../../lib';
import { demoOptions } from '../shared/options';
import { inTerminal, runScenario } from '../shared/scenario';
import { runFork } from './run-fork';

demoOptions({ command: 'npm run demo:fork', summary: "An effects digest that does not match the network's: a fatal outcome, a clean halt, done rejects with ForkDetectedError.", options: {} });

runScenario('npm run demo:fork', async () => {
  const { error } = await runFork((line) => console.log(line), { keepServing: inTerminal() });
  return error instanceof ForkDetectedError;
});
