import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

describe('README', () => {
  it.each(['spec/testing/readme-example.spec.ts', 'spec/validator/certificates/readme-example.spec.ts', 'spec/validator/verifier/readme-example.spec.ts'])('shows the example of %s exactly as it runs', (file) => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const marker = `<!-- example: ${file} -->\n\`\`\`ts\n`;
    const start = readme.indexOf(marker);
    expect(start).toBeGreaterThan(0);
    const shown = readme.slice(start + marker.length, readme.indexOf('```', start + marker.length));
    expect(shown).toBe(readFileSync(join(root, file), 'utf8'));
  });
});
