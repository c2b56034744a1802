// Mutation testing (npm run mutation): not in CI, it takes minutes. Scoped to
// the driver's per-certificate core and the TransactionManager, where a
// surviving mutant means a behaviour no test pins down.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.stryker.config.js', enableFindRelatedTests: false },
  mutate: ['lib/validator/manager/transaction-manager.ts', 'lib/process-certificate.ts', 'lib/backlog-queue.ts', 'lib/execution-slots.ts', 'lib/retry-policy.ts'],
  coverageAnalysis: 'perTest',
  // Two cores, shared: more runners would only queue.
  concurrency: 2,
  timeoutMS: 30_000,
  ignoreStatic: true,
  // Only the library gets Stryker's // @ts-nocheck: a README spec compares spec files with the text they show.
  disableTypeChecks: 'lib/**/*.ts',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
