// Mutation testing (npm run mutation): not in CI, it takes minutes. Scoped to
// the TransactionManager, where a surviving mutant means a behaviour no test
// pins down.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.stryker.config.js', enableFindRelatedTests: false },
  // The manager alone: 553 mutants, 13 minutes on two shared cores. The driver's core
  // (lib/process-certificate.ts and its neighbours) can be added with --mutate; with the
  // property specs in the run, expect hours.
  mutate: ['lib/validator/manager/transaction-manager.ts'],
  coverageAnalysis: 'perTest',
  // Two cores, shared: more runners would only queue.
  concurrency: 2,
  timeoutMS: 5_000,
  ignoreStatic: true,
  // Only the library gets Stryker's // @ts-nocheck: a README spec compares spec files with the text they show.
  disableTypeChecks: 'lib/**/*.ts',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
