import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
/** Every example the README marks as a spec: `<!-- example: path -->`, then a TypeScript block. */
const examples = [...readme.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```/g)].map(([, path, shown]) => [path as string, shown as string] as const);

describe('README', () => {
  it('marks its examples that run as specs, the marble-testing one and the simulation one among them', () => {
    expect(examples.map(([path]) => path)).toEqual(expect.arrayContaining(['spec/testing/readme-example.spec.ts', 'spec/simulation/readme-example.spec.ts']));
  });

  it.each(examples)('shows %s exactly as it runs in spec/', (path, shown) => {
    expect(shown).toBe(readFileSync(join(root, path), 'utf8'));
  });
});
