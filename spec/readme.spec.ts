import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

describe('README', () => {
  it('shows the marble-testing example exactly as it runs in spec/', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const marker = '<!-- example: spec/testing/readme-example.spec.ts -->\n```ts\n';
    const start = readme.indexOf(marker);
    expect(start).toBeGreaterThan(0);
    const shown = readme.slice(start + marker.length, readme.indexOf('```', start + marker.length));
    expect(shown).toBe(readFileSync(join(root, 'spec/testing/readme-example.spec.ts'), 'utf8'));
  });
});
