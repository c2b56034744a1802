/** `npm run demo:fork`: an effects digest that does not match halts the driver cleanly. */
import { runFork } from './run-fork';

void runFork((line) => console.log(line));
