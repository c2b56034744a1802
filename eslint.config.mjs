// Lint the library, specs, demos and benchmarks with type-aware rules.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', '.stryker-tmp/', 'reports/'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
      // winston declares its transports as interfaces plus constructor variables, which this rule misreads.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly', console: 'readonly' } },
  },
  {
    // The browser dashboard's page script: plain browser JavaScript, uPlot loaded by a script tag.
    files: ['demos/web/public/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { window: 'writable', document: 'readonly', fetch: 'readonly', EventSource: 'readonly', uPlot: 'readonly', console: 'readonly' },
    },
  },
);
