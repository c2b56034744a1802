/** `npm run demo:epoch`: an epoch change mid-run: drain, switch, old-epoch certificates refused. */
import { runEpochChange } from './run-epoch-change';

runEpochChange((line) => console.log(line)).then(
  ({ committed, generated }) => {
    process.exitCode = committed === generated ? 0 : 1;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
