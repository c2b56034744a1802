/** `npm run demo:epoch`: an epoch change mid-run: drain, switch, old-epoch certificates refused. */
import { demoOptions } from '../shared/options';
import { inTerminal, runScenario } from '../shared/scenario';
import { runEpochChange } from './run-epoch-change';

demoOptions({ command: 'npm run demo:epoch', summary: 'An epoch change mid-run: drain, reconfigure, certificates of the old epoch refused, the new epoch running.', options: {} });

runScenario('npm run demo:epoch', async () => {
  const { committed, generated } = await runEpochChange((line) => console.log(line), { keepServing: inTerminal() });
  return committed === generated;
});
