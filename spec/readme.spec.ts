import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

describe('README', () => {
  it.each(['spec/testing/readme-example.spec.ts', 'spec/validator/certificates/readme-example.spec.ts'])('shows the example %s exactly as it runs', (example) => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const marker = `<!-- example: ${example} -->\n\`\`\`ts\n`;
    const start = readme.indexOf(marker);
    expect(start).toBeGreaterThan(0);
    const shown = readme.slice(start + marker.length, readme.indexOf('```', start + marker.length));
    expect(shown).toBe(readFileSync(join(root, example), 'utf8'));
  });
});
