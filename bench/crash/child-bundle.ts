import { buildSync } from 'esbuild';
import { join } from 'node:path';

/** How to start the crash child: plain node on a bundle, with the repository's packages on the module path. */
export interface ChildCommand {
  readonly file: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Bundle the child once per run: a restart then costs node's start and
 * the file's load (about 0.3 s here) instead of tsx compiling the validator
 * again (1 to 2 s on this loaded machine), which is what lets a CI-sized
 * run afford its twenty restarts. Packages stay external (the native LMDB
 * and BLS bindings among them) and resolve from the repository through NODE_PATH.
 */
export function bundleChild(directory: string): ChildCommand {
  const file = join(directory, 'crash-child.cjs');
  buildSync({
    entryPoints: [join(__dirname, 'crash-child.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'error',
  });
  const modules = join(__dirname, '..', '..', 'node_modules');
  return { file, env: { ...process.env, NODE_PATH: modules } };
}
