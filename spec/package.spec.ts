import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;

describe('the package as published', () => {
  it('ships the Apache-2.0 text its license field names, and a changelog', () => {
    expect(manifest.license).toBe('Apache-2.0');
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
    for (let section = 1; section <= 9; section++) expect(license).toMatch(new RegExp(`^   ${section}\\. [A-Z]`, 'm'));
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'README.md', 'CHANGELOG.md', 'LICENSE']));
    const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(/^## \[Unreleased\]$/m);
    expect(changelog).toMatch(new RegExp(`^## \\[${String(manifest.version).replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'));
  });

  it('says where it lives and how to report a bug, on one host', () => {
    const repository = 'https://github.com/soma-validator/soma-execution-driver';
    expect(manifest.repository).toEqual({ type: 'git', url: `git+${repository}.git` });
    expect(manifest.bugs).toEqual({ url: `${repository}/issues` });
    expect(manifest.homepage).toBe(`${repository}#readme`);
    expect((manifest.keywords as string[]).length).toBeGreaterThan(3);
  });
});
