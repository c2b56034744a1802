import fs from 'node:fs';
import path from 'node:path';

/** The script a verifier worker thread runs, and the Node options it runs with. */
export interface WorkerScript {
  readonly filename: string;
  /** `undefined`: the worker inherits the process's options, as Node's default. */
  readonly execArgv?: readonly string[];
  /** Given to the script as `workerData` (a wrapping script's own settings). */
  readonly workerData?: unknown;
}

/**
 * The worker script beside this module. In the built package that is
 * `verify-worker.js`, compiled with the rest, and runs as it is. From the
 * TypeScript sources (jest, tsx) there is only `verify-worker.ts`: Node 20
 * cannot run TypeScript, so the worker loads tsx's CommonJS hook first (a
 * development dependency, present wherever the sources run).
 */
export function defaultWorkerScript(directory: string = __dirname): WorkerScript {
  const built = path.join(directory, 'verify-worker.js');
  if (fs.existsSync(built)) return { filename: built };
  return { filename: path.join(directory, 'verify-worker.ts'), execArgv: ['--require', require.resolve('tsx/cjs')] };
}
